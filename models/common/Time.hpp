#pragma once
// Hardware time: integer picoseconds, so 10 Gb/s bit times (100 ps) and cycle times stay exact
// and runs are reproducible. A signed 64-bit count covers about 106 days.
#include <cmath>
#include <cstdint>

namespace iscsim::models {

using Picos = std::int64_t;

inline constexpr Picos kPicosPerNano = 1'000;
inline constexpr Picos kPicosPerMicro = 1'000'000;
inline constexpr Picos kPicosPerSecond = 1'000'000'000'000;

inline Picos picos_from_seconds(double s) { return static_cast<Picos>(std::llround(s * 1e12)); }
inline Picos picos_from_micros(double us) { return static_cast<Picos>(std::llround(us * 1e6)); }
inline Picos picos_from_nanos(double ns) { return static_cast<Picos>(std::llround(ns * 1e3)); }
inline double seconds_from_picos(Picos p) { return static_cast<double>(p) * 1e-12; }

// Time to move `bytes` at `bytes_per_second`, rounded up to whole picoseconds.
inline Picos transfer_picos(double bytes, double bytes_per_second) {
  return static_cast<Picos>(std::ceil(bytes / bytes_per_second * 1e12 - 1e-6));
}

}  // namespace iscsim::models
