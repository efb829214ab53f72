#include "sim/workload/StreamPattern.hpp"

#include <algorithm>
#include <cstring>

#include "sim/world/SplitMix64.hpp"

namespace iscsim::workload {

namespace {
constexpr std::size_t kWordBytes = sizeof(std::uint64_t);
constexpr std::uint64_t kStreamStride = 0x9E3779B97F4A7C15ULL;  // keeps streams apart in index space
}  // namespace

std::uint64_t StreamPattern::word(std::uint64_t index) const {
  return world::splitmix64(index + salt_ * kStreamStride);
}

void StreamPattern::fill(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
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
  std::size_t bad = 0;
  while (len > 0) {
    const std::uint64_t index = offset / kWordBytes;
    const std::size_t skip = offset % kWordBytes;
    const std::size_t n = std::min(len, kWordBytes - skip);
    const std::uint64_t w = word(index);
    const auto* expect = reinterpret_cast<const std::uint8_t*>(&w) + skip;
    if (std::memcmp(expect, data, n) != 0) {
      for (std::size_t i = 0; i < n; ++i) bad += expect[i] != data[i] ? 1 : 0;
    }
    data += n;
    offset += n;
    len -= n;
  }
  return bad;
}

}  // namespace iscsim::workload
