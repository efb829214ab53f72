#pragma once
// The out-of-order queue: bytes that arrived beyond the next expected one, kept without
// overlap by 64-bit stream offset until the gap before them fills.
#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace iscsim::stack::tcp {

class Reassembly {
 public:
  // Stores the parts of [offset, offset+len) not already held; returns the bytes newly stored.
  std::size_t insert(std::uint64_t offset, const std::uint8_t* data, std::size_t len);

  // Removes and returns the bytes contiguous from `next` (dropping any held below it).
  std::vector<std::uint8_t> take_from(std::uint64_t next);

  bool empty() const { return pieces_.empty(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t pieces() const { return pieces_.size(); }
  // End of the highest byte held (0 when empty).
  std::uint64_t end() const;

 private:
  std::map<std::uint64_t, std::vector<std::uint8_t>> pieces_;  // start offset -> bytes
  std::size_t bytes_ = 0;
};

}  // namespace iscsim::stack::tcp
