#include "sim/stack/tcp/ByteRing.hpp"

#include <algorithm>
#include <cstring>

namespace iscsim::stack::tcp {

std::size_t ByteRing::push(const std::uint8_t* data, std::size_t len) {
  const std::size_t n = std::min(len, free());
  const std::size_t cap = buf_.size();
  const std::size_t tail = (head_ + size_) % (cap == 0 ? 1 : cap);
  const std::size_t first = std::min(n, cap - tail);
  if (first > 0) std::memcpy(buf_.data() + tail, data, first);
  if (n > first) std::memcpy(buf_.data(), data + first, n - first);
  size_ += n;
  return n;
}

ByteSpans ByteRing::view(std::size_t offset, std::size_t len) const {
  if (len == 0) return {};
  const std::size_t start = (head_ + offset) % buf_.size();
  const std::size_t first = std::min(len, buf_.size() - start);
  return {ByteSpan{buf_.data() + start, first}, ByteSpan{buf_.data(), len - first}};
}

void ByteRing::pop(std::size_t len) {
  len = std::min(len, size_);
  if (len == 0) return;
  head_ = (head_ + len) % buf_.size();
  size_ -= len;
}

}  // namespace iscsim::stack::tcp
