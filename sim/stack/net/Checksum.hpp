#pragma once
// The Internet checksum (RFC 1071): one's-complement sum of big-endian 16-bit words, used by
// the IPv4 header and by TCP over its pseudo-header.
#include <cstddef>
#include <cstdint>

namespace iscsim::stack::net {

// Adds len bytes (as 16-bit words from an even offset) to an unfolded running sum.
std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum = 0);
// Folds a running sum to 16 bits and complements it: the value that goes in the header.
std::uint16_t checksum_fold(std::uint32_t sum);
std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len);

}  // namespace iscsim::stack::net
