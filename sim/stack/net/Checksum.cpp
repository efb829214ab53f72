#include "sim/stack/net/Checksum.hpp"

#include <cstring>

namespace iscsim::stack::net {

namespace {
constexpr unsigned kBitsPerByte = 8;
constexpr std::uint32_t kLow16 = 0xFFFF;
constexpr unsigned kFoldShift = 16;
constexpr std::size_t kWordBytes = 4;

std::uint32_t be32(std::uint32_t raw) {
  const auto* b = reinterpret_cast<const std::uint8_t*>(&raw);
  return static_cast<std::uint32_t>(b[0]) << 24 | static_cast<std::uint32_t>(b[1]) << 16 |
         static_cast<std::uint32_t>(b[2]) << 8 | b[3];
}
}  // namespace

std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  std::uint64_t acc = sum;
  // Big-endian 32-bit words: their sum folds to the same one's-complement sum of 16-bit words
  // (RFC 1071 section 2(A)), at a quarter of the additions. 2^32 words cannot overflow 64 bits.
  while (len >= kWordBytes) {
    std::uint32_t w;
    std::memcpy(&w, data, kWordBytes);
    acc += be32(w);
    data += kWordBytes;
    len -= kWordBytes;
  }
  if (len >= 2) {
    acc += static_cast<std::uint32_t>(data[0]) << kBitsPerByte | data[1];
    data += 2;
    len -= 2;
  }
  if (len == 1) acc += static_cast<std::uint32_t>(data[0]) << kBitsPerByte;  // pad with a zero byte
  while (acc >> kFoldShift) acc = (acc & kLow16) + (acc >> kFoldShift);
  return static_cast<std::uint32_t>(acc);
}

std::uint16_t checksum_fold(std::uint32_t sum) {
  while (sum >> kFoldShift) sum = (sum & kLow16) + (sum >> kFoldShift);
  return static_cast<std::uint16_t>(~sum & kLow16);
}

std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len) {
  return checksum_fold(checksum_partial(data, len));
}

}  // namespace iscsim::stack::net
