#pragma once
// The bytes a test stream carries: a non-periodic function of (stream, offset), so the receiver
// can check every byte it gets for loss, duplication, reordering or corruption without keeping a
// copy. Words come from a fixed random table keyed per period and stream, so generation and checking
// run at memory speed.
#include <cstddef>
#include <cstdint>

namespace iscsim::workload {

class StreamPattern {
 public:
  explicit StreamPattern(std::uint64_t stream_id) : salt_(stream_id) {}
  // Writes the pattern bytes [offset, offset + len) to `out`.
  void fill(std::uint64_t offset, std::uint8_t* out, std::size_t len) const;
  // Number of bytes in [offset, offset + len) that differ from the pattern.
  std::size_t mismatches(std::uint64_t offset, const std::uint8_t* data, std::size_t len) const;

 private:
  std::uint64_t period_key(std::uint64_t period) const;
  std::uint64_t salt_;
};

}  // namespace iscsim::workload
