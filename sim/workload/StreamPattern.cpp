#include "sim/workload/StreamPattern.hpp"

#include <algorithm>
#include <cstring>


namespace iscsim::workload {

namespace {
constexpr std::size_t kWordBytes = sizeof(std::uint64_t);
constexpr std::size_t kCompareBlockBytes = 4096;
constexpr std::uint64_t kStreamStride = 0x9E3779B97F4A7C15ULL;  // keeps streams apart in index space
constexpr std::uint64_t kWordMultiplier = 0xD6E8FEB86659FD93ULL;  // odd, from Steele et al.'s LXM mixers
constexpr unsigned kFoldShift = 32;
}  // namespace

std::uint64_t StreamPattern::word(std::uint64_t index) const {
  // One multiply by an odd constant is a bijection (no two words alike); folding the high half
  // down makes the low bytes depend on the whole index, so the stream has no short period.
  const std::uint64_t x = (index + salt_ * kStreamStride) * kWordMultiplier;
  return x ^ (x >> kFoldShift);
}

void StreamPattern::fill(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
  while (len > 0 && offset % kWordBytes != 0) {
    const std::uint64_t w = word(offset / kWordBytes);
    const std::size_t skip = offset % kWordBytes;
    const std::size_t n = std::min(len, kWordBytes - skip);
    std::memcpy(out, reinterpret_cast<const std::uint8_t*>(&w) + skip, n);
    out += n;
    offset += n;
    len -= n;
  }
  for (std::uint64_t index = offset / kWordBytes; len >= kWordBytes; ++index) {
    const std::uint64_t w = word(index);
    std::memcpy(out, &w, kWordBytes);
    out += kWordBytes;
    offset += kWordBytes;
    len -= kWordBytes;
  }
  while (len > 0) {
    const std::uint64_t index = offset / kWordBytes;
    const std::size_t skip = offset % kWordBytes;
    const std::size_t n = std::min(len, kWordBytes - skip);
    const std::uint64_t w = word(index);
    std::memcpy(out, reinterpret_cast<const std::uint8_t*>(&w) + skip, n);
    out += n;
    offset += n;
    len -= n;
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
