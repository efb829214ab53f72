#pragma once
// The durations last computed for a few transfer sizes. The same few frame and descriptor sizes
// come again and again, and the floating-point arithmetic of a duration costs more than this
// lookup; a pure cache, so every duration is the one computed.
#include <array>
#include <cstdint>
#include <limits>

#include "models/common/Time.hpp"

namespace iscsim::models {

class DurationMemo {
 public:
  // The duration of `bytes`, from `compute(bytes)` unless already known.
  template <class Compute>
  Picos get(std::uint32_t bytes, Compute compute) {
    Entry& e = entries_[bytes % kEntries];
    if (e.bytes != bytes) e = Entry{bytes, compute(bytes)};
    return e.duration;
  }

 private:
  static constexpr std::uint32_t kEntries = 64;  // direct-mapped: a size shares with few others
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();  // above any size
  struct Entry {
    std::uint64_t bytes = kNone;
    Picos duration = 0;
  };
  std::array<Entry, kEntries> entries_{};
};

}  // namespace iscsim::models
