#include "sim/stack/iscsi/ByteQueue.hpp"

#include <cstring>

namespace iscsim::stack::iscsi {

namespace {
// A chunk stops taking appends past this size, so consumed bytes are freed a chunk at a time.
constexpr std::size_t kChunkBytes = 1 << 16;
}  // namespace

std::vector<std::uint8_t>& ByteQueue::tail_chunk() {
  if (chunks_.empty() || chunks_.back().size() >= kChunkBytes) {
    if (spare_.empty()) {
      chunks_.emplace_back().reserve(kChunkBytes);
    } else {
      chunks_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
  }
  return chunks_.back();
}

std::uint8_t* ByteQueue::append(std::size_t n) {
  std::vector<std::uint8_t>& c = tail_chunk();
  const std::size_t at = c.size();
  c.resize(at + n);
  size_ += n;
  return c.data() + at;
}

void ByteQueue::append(const std::uint8_t* data, std::size_t n) {
  if (n > 0) std::memcpy(append(n), data, n);
}

const std::uint8_t* ByteQueue::front() const { return chunks_.empty() ? nullptr : chunks_.front().data() + head_; }

std::size_t ByteQueue::front_size() const { return chunks_.empty() ? 0 : chunks_.front().size() - head_; }

void ByteQueue::consume(std::size_t n) {
  size_ -= n;
  while (n > 0) {
    const std::size_t here = chunks_.front().size() - head_;
    if (n < here) {
      head_ += n;
      return;
    }
    n -= here;
    retire_front();
  }
  if (!chunks_.empty() && chunks_.front().size() == head_) retire_front();
}

void ByteQueue::retire_front() {
  spare_.push_back(std::move(chunks_.front()));
  spare_.back().clear();
  chunks_.pop_front();
  head_ = 0;
}

void ByteQueue::clear() {
  chunks_.clear();
  head_ = 0;
  size_ = 0;
}

}  // namespace iscsim::stack::iscsi
