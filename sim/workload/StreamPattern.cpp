#include "sim/workload/StreamPattern.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "sim/world/SplitMix64.hpp"

namespace iscsim::workload {

namespace {

constexpr std::size_t kWordBytes = sizeof(std::uint64_t);
constexpr std::size_t kCompareBlockBytes = 4096;
constexpr std::size_t kTableWords = 8192;  // 64 KiB: stays in L2 while both ends use it
constexpr std::uint64_t kStreamStride = 0x9E3779B97F4A7C15ULL;  // keeps streams apart in index space
constexpr std::uint64_t kTableSeed = 0x5EED5EED5EED5EEDULL;

// Random words, the same in every run.
const std::array<std::uint64_t, kTableWords>& table() {
  static const auto t = [] {
    std::array<std::uint64_t, kTableWords> words{};
    for (std::size_t i = 0; i < kTableWords; ++i) words[i] = world::splitmix64(kTableSeed + i);
    return words;
  }();
  return t;
}

}  // namespace

// Word i is table[i mod N] xor a hash of (stream, i div N): random within a period, and every
// period (and every stream) differs from every other in all bytes but by chance. Filling is a
// xor of the table with one constant per period, which the compiler vectorizes.
std::uint64_t StreamPattern::period_key(std::uint64_t period) const {
  return world::splitmix64(period + salt_ * kStreamStride);
}

void StreamPattern::fill(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
  const auto& t = table();
  // Unaligned head and tail go through a word at a time.
  const auto one_word = [&](std::uint64_t index) { return t[index % kTableWords] ^ period_key(index / kTableWords); };
  while (len > 0 && offset % kWordBytes != 0) {
    const std::uint64_t w = one_word(offset / kWordBytes);
    const std::size_t skip = offset % kWordBytes;
    const std::size_t n = std::min(len, kWordBytes - skip);
    std::memcpy(out, reinterpret_cast<const std::uint8_t*>(&w) + skip, n);
    out += n;
    offset += n;
    len -= n;
  }
  while (len >= kWordBytes) {
    const std::uint64_t index = offset / kWordBytes;
    const std::size_t at = index % kTableWords;
    const std::size_t words = std::min(len / kWordBytes, kTableWords - at);
    const std::uint64_t key = period_key(index / kTableWords);
    for (std::size_t i = 0; i < words; ++i) {
      const std::uint64_t w = t[at + i] ^ key;
      std::memcpy(out + i * kWordBytes, &w, kWordBytes);
    }
    out += words * kWordBytes;
    offset += words * kWordBytes;
    len -= words * kWordBytes;
  }
  if (len > 0) {
    const std::uint64_t w = one_word(offset / kWordBytes);
    std::memcpy(out, &w, len);
  }
}

std::size_t StreamPattern::mismatches(std::uint64_t offset, const std::uint8_t* data, std::size_t len) const {
  // Compare against the expected bytes a block at a time; count bytes only where they differ.
  std::uint8_t expect[kCompareBlockBytes];
  std::size_t bad = 0;
  while (len > 0) {
    const std::size_t n = std::min(len, kCompareBlockBytes);
    fill(offset, expect, n);
    if (std::memcmp(expect, data, n) != 0)
      for (std::size_t i = 0; i < n; ++i) bad += expect[i] != data[i] ? 1 : 0;
    data += n;
    offset += n;
    len -= n;
  }
  return bad;
}

}  // namespace iscsim::workload
