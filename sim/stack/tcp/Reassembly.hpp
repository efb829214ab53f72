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
  // Calls f(start, end) for each run of contiguous bytes held, lowest first (SACK blocks).
  template <class F>
  void for_each_run(F f) const {
    std::uint64_t start = 0, end = 0;
    for (const auto& [at, bytes] : pieces_) {
      if (end != 0 && at != end) f(start, end);
      if (end == 0 || at != end) start = at;
      end = at + bytes.size();
    }
    if (end != 0) f(start, end);
  }

 private:
  std::map<std::uint64_t, std::vector<std::uint8_t>> pieces_;  // start offset -> bytes
  std::size_t bytes_ = 0;
};

}  // namespace iscsim::stack::tcp
