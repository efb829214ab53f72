#pragma once
// Checks shared by the models that read a cache-line or page geometry from a parameter file.
#include <cstdint>

namespace iscsim::models {

// The largest cache line a parameter file may give, in bytes: catches a size typed in the wrong
// unit (KB for B).
inline constexpr long long kMaxLineBytes = 4096;

// Lines, pages and sets are looked up with shifts and masks.
inline constexpr bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace iscsim::models
