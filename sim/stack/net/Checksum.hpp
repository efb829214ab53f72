#pragma once
// The Internet checksum (RFC 1071): one's-complement sum of big-endian 16-bit words, used by
// the IPv4 header and by TCP over its pseudo-header.
#include <cstddef>
#include <cstdint>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::net {

// Folds a 64-bit one's-complement sum to 16 bits with end-around carries, in a fixed number of
// steps instead of a data-dependent loop: 64 -> 33 bits, then each 16-bit step shrinks what is
// above bit 15 until at most 0x10001 folds to at most 0xFFFF. A non-zero sum stays non-zero.
inline std::uint32_t checksum_fold16(std::uint64_t sum) {
  constexpr std::uint64_t kLow32 = 0xFFFFFFFF;
  constexpr std::uint64_t kLow16 = 0xFFFF;
  sum = (sum & kLow32) + (sum >> 32);
  sum = (sum & kLow16) + (sum >> 16);
  sum = (sum & kLow16) + (sum >> 16);
  sum = (sum & kLow16) + (sum >> 16);
  return static_cast<std::uint32_t>(sum);
}

// checksum_partial of `words` big-endian 32-bit words (a header), inline: a call and its tail
// handling cost a short header about as much as a whole payload's sum.
inline std::uint32_t checksum_words(const std::uint8_t* data, std::size_t words, std::uint32_t sum = 0) {
  std::uint64_t acc = sum;  // 2^16 = 1 modulo 0xFFFF: a 32-bit word adds as its two halves
  for (std::size_t i = 0; i < words; ++i) acc += load_be<4>(data + 4 * i);
  return checksum_fold16(acc);
}

// Adds len bytes (as 16-bit words from an even offset) to an unfolded running sum.
std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0);
// checksum_partial of `data` while copying it to `out` (the buffers must not overlap).
std::uint32_t checksum_copy(std::uint8_t* out, const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0);
// Folds a running sum to 16 bits and complements it: the value that goes in the header.
std::uint16_t checksum_fold(std::uint32_t sum);
std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len);

}  // namespace iscsim::stack::net
