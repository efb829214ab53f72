#include "sim/stack/net/Checksum.hpp"

namespace iscsim::stack::net {

namespace {
constexpr unsigned kBitsPerByte = 8;
constexpr std::uint32_t kLow16 = 0xFFFF;
constexpr unsigned kFoldShift = 16;
// Words summed into the 64-bit accumulator between folds; far below its overflow.
constexpr std::size_t kWordsPerBlock = 4;
}  // namespace

std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  std::uint64_t acc = sum;
  // Four words at a time: the order of additions does not matter in one's-complement arithmetic.
  while (len >= 2 * kWordsPerBlock) {
    acc += (static_cast<std::uint32_t>(data[0]) << kBitsPerByte | data[1]) +
           (static_cast<std::uint32_t>(data[2]) << kBitsPerByte | data[3]) +
           (static_cast<std::uint32_t>(data[4]) << kBitsPerByte | data[5]) +
           (static_cast<std::uint32_t>(data[6]) << kBitsPerByte | data[7]);
    data += 2 * kWordsPerBlock;
    len -= 2 * kWordsPerBlock;
  }
  while (len >= 2) {
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
