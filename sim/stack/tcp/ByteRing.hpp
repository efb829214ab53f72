#pragma once
// A fixed-capacity FIFO of bytes: the socket send and receive queues. Copies in and out with
// memcpy so that moving real payload bytes stays cheap at gigabit rates.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace iscsim::stack::tcp {

// Bytes lent where they lie in a ring.
struct ByteSpan {
  const std::uint8_t* data = nullptr;
  std::size_t len = 0;
};
// A run of ring bytes in order: one piece, or two where the run wraps (the second then empty or not).
using ByteSpans = std::array<ByteSpan, 2>;

class ByteRing {
 public:
  explicit ByteRing(std::size_t capacity) : buf_(capacity) {}

  std::size_t capacity() const { return buf_.size(); }
  std::size_t size() const { return size_; }
  std::size_t free() const { return buf_.size() - size_; }

  // Appends up to len bytes; returns how many fitted.
  std::size_t push(const std::uint8_t* data, std::size_t len);
  // The len bytes from offset after the head where they lie, valid until the next push; the
  // caller keeps within size().
  ByteSpans view(std::size_t offset, std::size_t len) const;
  void pop(std::size_t len);

 private:
  std::vector<std::uint8_t> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

}  // namespace iscsim::stack::tcp
