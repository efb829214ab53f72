#include "sim/stack/net/Checksum.hpp"

#include <cstring>

namespace iscsim::stack::net {

namespace {
constexpr unsigned kBitsPerByte = 8;
constexpr std::uint32_t kLow16 = 0xFFFF;
constexpr unsigned kFoldShift = 16;
constexpr std::size_t kWordBytes = 4;

constexpr std::uint32_t kLowByte = 0xFF;

// Folds a sum of machine-order words to 16 bits and returns it in network order.
std::uint32_t byte_swapped_fold(std::uint64_t native) {
  while (native >> kFoldShift) native = (native & kLow16) + (native >> kFoldShift);
  const auto folded = static_cast<std::uint32_t>(native);
  // Only a little-endian host loaded the bytes swapped.
  const std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  if (first == 0) return folded;
  return ((folded & kLowByte) << kBitsPerByte) | (folded >> kBitsPerByte);
}
}  // namespace

std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  // RFC 1071 section 2(B): the sum is byte-order independent, so add the words as the machine
  // loads them (a loop the compiler vectorizes) and swap the folded result once. 32-bit words
  // fold to the same 16-bit one's-complement sum (section 2(A)); a 64-bit accumulator cannot
  // overflow on any frame.
  std::uint64_t native = 0;
  const std::size_t words = len / kWordBytes;
  for (std::size_t i = 0; i < words; ++i) {
    std::uint32_t w;
    std::memcpy(&w, data + i * kWordBytes, kWordBytes);
    native += w;
  }
  data += words * kWordBytes;
  len -= words * kWordBytes;
  std::uint64_t acc = sum + byte_swapped_fold(native);
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
