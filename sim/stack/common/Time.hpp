#pragma once
// Time as the protocol cores see it: integer nanoseconds handed in by the caller (never read
// from a clock), so runs are exact and reproducible.
#include <cstdint>

namespace iscsim::stack {

using Nanos = std::int64_t;

inline constexpr Nanos kNanosPerMicro = 1'000;
inline constexpr Nanos kNanosPerMilli = 1'000'000;
inline constexpr Nanos kNanosPerSecond = 1'000'000'000;

}  // namespace iscsim::stack
