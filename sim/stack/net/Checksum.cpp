#include "sim/stack/net/Checksum.hpp"

#include <cstring>

namespace iscsim::stack::net {

namespace {
constexpr std::uint32_t kLow16 = 0xFFFF;
constexpr std::size_t kWordBytes = 4;
constexpr std::size_t kLongBytes = 8;
constexpr std::size_t kStepBytes = 4 * kLongBytes;

constexpr std::uint32_t kLowByte = 0xFF;

std::uint64_t load_word(const std::uint8_t* p) {
  std::uint64_t w;
  std::memcpy(&w, p, kLongBytes);
  return w;
}

// Adds w to acc; 1 if the sum wrapped (a carry out of bit 63 to add back later).
std::uint64_t add_overflows(std::uint64_t& acc, std::uint64_t w) { return __builtin_add_overflow(acc, w, &acc) ? 1 : 0; }

// One's-complement addition of 64-bit words: a carry out of bit 63 comes back in at bit 0
// (the wrapped sum is below both addends, so adding it back cannot wrap again).
std::uint64_t add_end_around(std::uint64_t a, std::uint64_t b) { return a + b + (a + b < a ? 1 : 0); }

// Folds a sum of machine-order words to 16 bits and returns it in network order.
std::uint32_t byte_swapped_fold(std::uint64_t native) {
  const std::uint32_t folded = checksum_fold16(native);
  // Only a little-endian host loaded the bytes swapped.
  const std::uint16_t probe = 1;
  std::uint8_t first;
  std::memcpy(&first, &probe, 1);
  if (first == 0) return folded;
  return ((folded & kLowByte) << kBitsPerByte) | (folded >> kBitsPerByte);
}

// The checksum of checksum_partial, and when kCopy the bytes copied to `out` as they are summed:
// one pass over a payload instead of a copy and then a sum.
template <bool kCopy>
std::uint32_t sum_words(const std::uint8_t* data, std::uint8_t* out, std::size_t len, std::uint32_t sum) {
  // RFC 1071 section 2(B): the sum is byte-order independent, so add the words as the machine
  // loads them and swap the folded result once. Section 2(C): 64-bit words with end-around
  // carry fold to the same 16-bit sum; two independent add-with-carry chains over 32 bytes a
  // step keep the loop at about two words a cycle.
  std::uint64_t even = 0;
  std::uint64_t odd = 0;
  std::uint64_t even_carries = 0;  // counted apart so the two chains stay independent
  std::uint64_t odd_carries = 0;
  while (len >= kStepBytes) {
    if constexpr (kCopy) {
      std::memcpy(out, data, kStepBytes);
      out += kStepBytes;
    }
    even_carries += add_overflows(even, load_word(data));
    odd_carries += add_overflows(odd, load_word(data + kLongBytes));
    even_carries += add_overflows(even, load_word(data + 2 * kLongBytes));
    odd_carries += add_overflows(odd, load_word(data + 3 * kLongBytes));
    data += kStepBytes;
    len -= kStepBytes;
  }
  // An empty destination may be a null pointer, which memcpy must not get even for no bytes.
  if constexpr (kCopy)
    if (len != 0) std::memcpy(out, data, len);
  while (len >= kLongBytes) {
    even_carries += add_overflows(even, load_word(data));
    data += kLongBytes;
    len -= kLongBytes;
  }
  std::uint64_t native = add_end_around(add_end_around(even, odd), even_carries + odd_carries);
  if (len >= kWordBytes) {
    std::uint32_t w;
    std::memcpy(&w, data, kWordBytes);
    native = add_end_around(native, w);
    data += kWordBytes;
    len -= kWordBytes;
  }
  std::uint64_t acc = sum + byte_swapped_fold(native);
  if (len >= 2) {
    acc += static_cast<std::uint32_t>(data[0]) << kBitsPerByte | data[1];
    data += 2;
    len -= 2;
  }
  if (len == 1) acc += static_cast<std::uint32_t>(data[0]) << kBitsPerByte;  // pad with a zero byte
  return checksum_fold16(acc);
}
}  // namespace

std::uint32_t checksum_partial(const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  return sum_words<false>(data, nullptr, len, sum);
}

std::uint32_t checksum_copy(std::uint8_t* out, const std::uint8_t* data, std::size_t len, std::uint32_t sum) {
  return sum_words<true>(data, out, len, sum);
}

std::uint16_t checksum_fold(std::uint32_t sum) {
  return static_cast<std::uint16_t>(~checksum_fold16(sum) & kLow16);
}

std::uint16_t internet_checksum(const std::uint8_t* data, std::size_t len) {
  return checksum_fold(checksum_partial(data, len));
}

}  // namespace iscsim::stack::net
