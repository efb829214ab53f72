#pragma once
// The durations (or other values, such as a duration with its line count) last computed for a few
// transfer sizes. The same few frame and descriptor sizes come again and again, and the
// floating-point arithmetic of a duration costs more than this lookup; a pure cache, so every
// value is the one computed.
#include <array>
#include <cstdint>
#include <limits>

#include "models/common/Time.hpp"

namespace iscsim::models {

template <class Value = Picos>
class DurationMemo {
 public:
  // The value of `bytes`, from `compute(bytes)` unless already known.
  template <class Compute>
  Value get(std::uint32_t bytes, Compute compute) {
    Entry& e = entries_[bytes % kEntries];
    if (e.bytes != bytes) e = Entry{bytes, compute(bytes)};
    return e.value;
  }

 private:
  static constexpr std::uint32_t kEntries = 64;  // direct-mapped: a size shares with few others
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();  // above any size
  struct Entry {
    std::uint64_t bytes = kNone;
    Value value{};
  };
  std::array<Entry, kEntries> entries_{};
};

}  // namespace iscsim::models
