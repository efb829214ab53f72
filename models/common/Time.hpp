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

// std::llround (half away from zero), inline: it runs for every piece of work charged, and
// llround is a library call. Exact: below 2^52 both x and its truncation are exact doubles.
inline Picos round_picos(double x) {
  if (x < 0) return -round_picos(-x);
  const auto whole = static_cast<Picos>(x);
  return x - static_cast<double>(whole) >= 0.5 ? whole + 1 : whole;
}
// Picoseconds in `cycles` at `hz`.
inline Picos picos_from_cycles(double cycles, double hz) {
  return round_picos(cycles / hz * static_cast<double>(kPicosPerSecond));
}
inline Picos picos_from_seconds(double s) { return round_picos(s * 1e12); }
inline Picos picos_from_micros(double us) { return round_picos(us * 1e6); }
inline Picos picos_from_nanos(double ns) { return round_picos(ns * 1e3); }
inline double seconds_from_picos(Picos p) { return static_cast<double>(p) * 1e-12; }
inline double micros_from_picos(Picos p) { return static_cast<double>(p) * 1e-6; }

// Time to move `bytes` at `bytes_per_second`, rounded up to whole picoseconds.
inline Picos transfer_picos(double bytes, double bytes_per_second) {
  return static_cast<Picos>(std::ceil(bytes / bytes_per_second * 1e12 - 1e-6));
}

}  // namespace iscsim::models
