#pragma once
// The units iscsim reports in (DESIGN.md, Metrics): one definition for every report.
namespace iscsim::world {

inline constexpr double kBytesPerMB = 1e6;  // MB = 10^6 B
inline constexpr double kPercent = 100.0;

}  // namespace iscsim::world
