#include <gtest/gtest.h>

#include <vector>

#include "sim/workload/StreamPattern.hpp"

namespace iscsim::workload {
namespace {

TEST(StreamPattern, PiecewiseFillEqualsWholeFill) {
  const StreamPattern p(3);
  std::vector<std::uint8_t> whole(1000), parts(1000);
  p.fill(77, whole.data(), whole.size());
  std::size_t off = 0;
  for (std::size_t n : {1u, 7u, 8u, 13u, 500u, 471u}) {
    p.fill(77 + off, parts.data() + off, n);
    off += n;
  }
  EXPECT_EQ(whole, parts);
  EXPECT_EQ(p.mismatches(77, whole.data(), whole.size()), 0u);
}

TEST(StreamPattern, DetectsShiftsDuplicatesAndFlips) {
  const StreamPattern p(1);
  std::vector<std::uint8_t> data(4096);
  p.fill(0, data.data(), data.size());
  EXPECT_GT(p.mismatches(1, data.data(), data.size() - 1), 4000u);     // off by one byte
  EXPECT_GT(p.mismatches(1448, data.data(), data.size()), 4000u);      // a segment repeated
  EXPECT_GT(p.mismatches(1u << 20, data.data(), data.size()), 4000u);  // far away: not periodic
  data[100] ^= 0x10;
  EXPECT_EQ(p.mismatches(0, data.data(), data.size()), 1u);
}

TEST(StreamPattern, StreamsDiffer) {
  std::vector<std::uint8_t> a(256), b(256);
  StreamPattern(0).fill(0, a.data(), a.size());
  StreamPattern(1).fill(0, b.data(), b.size());
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace iscsim::workload
