#pragma once
// Sequence-number arithmetic modulo 2^32 (RFC 9293 section 3.4, RFC 1982): comparisons stay
// correct across wraparound as long as the two numbers are within 2^31 of each other.
#include <cstdint>

namespace iscsim::stack {

// Signed distance b - a, in [-2^31, 2^31).
inline std::int32_t seq_diff(std::uint32_t b, std::uint32_t a) { return static_cast<std::int32_t>(b - a); }
inline bool seq_lt(std::uint32_t a, std::uint32_t b) { return seq_diff(b, a) > 0; }
inline bool seq_leq(std::uint32_t a, std::uint32_t b) { return seq_diff(b, a) >= 0; }
inline bool seq_gt(std::uint32_t a, std::uint32_t b) { return seq_lt(b, a); }
inline bool seq_geq(std::uint32_t a, std::uint32_t b) { return seq_leq(b, a); }
inline std::uint32_t seq_max(std::uint32_t a, std::uint32_t b) { return seq_lt(a, b) ? b : a; }
inline std::uint32_t seq_min(std::uint32_t a, std::uint32_t b) { return seq_lt(a, b) ? a : b; }

}  // namespace iscsim::stack
