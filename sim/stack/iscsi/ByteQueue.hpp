#pragma once
// Bytes waiting for a transport that takes them as it has room (a TCP send buffer): appended
// whole, taken from the front in any amounts, held in chunks so neither end moves the rest.
// Consumed chunks' buffers serve the next ones (no allocation per chunk in steady state).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace iscsim::stack::iscsi {

class ByteQueue {
 public:
  // Appends to the tail chunk; the caller writes `n` bytes at the returned pointer.
  std::uint8_t* append(std::size_t n);
  void append(const std::uint8_t* data, std::size_t n);
  std::vector<std::uint8_t>& tail_chunk();  // encode straight into it; call commit() after

  // The first contiguous span of queued bytes.
  const std::uint8_t* front() const;
  std::size_t front_size() const;
  void consume(std::size_t n);

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear();
  // Call after growing tail_chunk() directly.
  void commit(std::size_t grown) { size_ += grown; }

 private:
  void retire_front();

  std::deque<std::vector<std::uint8_t>> chunks_;
  // Chunks consumed, emptied: the next tail chunks (at most as many as were ever queued at once).
  std::vector<std::vector<std::uint8_t>> spare_;
  std::size_t head_ = 0;  // consumed bytes of chunks_.front()
  std::size_t size_ = 0;
};

}  // namespace iscsim::stack::iscsi
