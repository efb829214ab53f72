// SparseStore: spans that cross pages, zeros where nothing was written, and memory only for the
// pages a write touched.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/stack/scsi/SparseStore.hpp"

namespace iscsim::stack::scsi {
namespace {

constexpr std::uint32_t kPage = 4096;

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t seed) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 31);
  return v;
}

std::vector<std::uint8_t> read(const SparseStore& s, std::uint64_t offset, std::size_t len) {
  std::vector<std::uint8_t> out(len, 0xEE);  // not zero, so a missed memset shows
  s.read(offset, out.data(), len);
  return out;
}

bool all_zero(const std::vector<std::uint8_t>& v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

TEST(SparseStoreTest, DefaultsToSixtyFourKibPages) {
  const SparseStore s(1 << 20);
  EXPECT_EQ(s.page_bytes(), 64u * 1024);
  EXPECT_EQ(s.capacity(), 1u << 20);
  EXPECT_EQ(s.resident_pages(), 0u);
}

TEST(SparseStoreTest, UnwrittenBytesReadZeroWithoutAllocating) {
  const SparseStore s(1 << 20, kPage);
  EXPECT_TRUE(all_zero(read(s, 0, 1 << 20)));
  EXPECT_TRUE(all_zero(read(s, 12345, 3)));
  EXPECT_EQ(s.resident_pages(), 0u);
}

struct SpanCase {
  const char* name;
  std::uint64_t offset;
  std::size_t len;
  std::size_t pages;  // resident after the write
};

class SparseStoreSpans : public ::testing::TestWithParam<SpanCase> {};

TEST_P(SparseStoreSpans, WriteReadsBackAndLeavesNeighboursZero) {
  const SpanCase& c = GetParam();
  SparseStore s(16 * kPage, kPage);
  const std::vector<std::uint8_t> in = pattern(c.len, 7);
  s.write(c.offset, in.data(), in.size());
  EXPECT_EQ(s.resident_pages(), c.pages);
  EXPECT_EQ(read(s, c.offset, c.len), in);
  // The rest of every touched page, and everything else, is still zero.
  const std::uint64_t first = c.offset / kPage * kPage;
  const std::uint64_t end = (c.offset + c.len + kPage - 1) / kPage * kPage;
  EXPECT_TRUE(all_zero(read(s, first, c.offset - first)));
  EXPECT_TRUE(all_zero(read(s, c.offset + c.len, end - (c.offset + c.len))));
  EXPECT_TRUE(all_zero(read(s, end, 16 * kPage - end)));
}

INSTANTIATE_TEST_SUITE_P(
    Spans, SparseStoreSpans,
    ::testing::Values(SpanCase{"one_byte", 5, 1, 1}, SpanCase{"whole_page", kPage, kPage, 1},
                      SpanCase{"inside_page", kPage + 100, 200, 1},
                      SpanCase{"across_one_boundary", kPage - 10, 20, 2},
                      SpanCase{"across_three_pages", 2 * kPage + 1, 2 * kPage + 2, 3},
                      SpanCase{"two_whole_pages", 4 * kPage, 2 * kPage, 2},
                      SpanCase{"last_byte", 16 * kPage - 1, 1, 1}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(SparseStoreTest, OverwritesReuseTheirPages) {
  SparseStore s(8 * kPage, kPage);
  const std::vector<std::uint8_t> a = pattern(kPage + 50, 1), b = pattern(30, 99);
  s.write(100, a.data(), a.size());
  EXPECT_EQ(s.resident_pages(), 2u);
  s.write(kPage - 10, b.data(), b.size());
  EXPECT_EQ(s.resident_pages(), 2u);
  std::vector<std::uint8_t> want = a;
  std::copy(b.begin(), b.end(), want.begin() + (kPage - 10 - 100));
  EXPECT_EQ(read(s, 100, a.size()), want);
}

TEST(SparseStoreTest, CapacityNotAMultipleOfThePage) {
  SparseStore s(kPage + 7, kPage);
  const std::vector<std::uint8_t> in = pattern(9, 3);
  s.write(kPage - 2, in.data(), in.size());
  EXPECT_EQ(read(s, kPage - 2, 9), in);
  EXPECT_EQ(s.resident_pages(), 2u);
}

TEST(SparseStoreTest, HugeCapacityCostsOnlyWrittenPages) {
  SparseStore s(std::uint64_t{1} << 44);  // 16 TiB
  const std::vector<std::uint8_t> in = pattern(100, 5);
  s.write((std::uint64_t{1} << 44) - 100, in.data(), in.size());
  EXPECT_EQ(read(s, (std::uint64_t{1} << 44) - 100, 100), in);
  EXPECT_EQ(s.resident_pages(), 1u);
}

TEST(SparseStoreTest, MatchesAFlatBufferUnderRandomWrites) {
  constexpr std::size_t kBytes = 40 * 1024;
  SparseStore s(kBytes, 1024);
  std::vector<std::uint8_t> flat(kBytes, 0);
  std::mt19937 rng(42);
  for (int i = 0; i < 200; ++i) {
    const std::size_t off = rng() % kBytes;
    const std::size_t len = rng() % std::min<std::size_t>(3000, kBytes - off + 1);
    const std::vector<std::uint8_t> in = pattern(len, static_cast<std::uint8_t>(i));
    s.write(off, in.data(), len);
    std::copy(in.begin(), in.end(), flat.begin() + static_cast<std::ptrdiff_t>(off));
    const std::size_t roff = rng() % kBytes;
    const std::size_t rlen = rng() % (kBytes - roff + 1);
    ASSERT_EQ(read(s, roff, rlen), std::vector<std::uint8_t>(flat.begin() + static_cast<std::ptrdiff_t>(roff),
                                                             flat.begin() + static_cast<std::ptrdiff_t>(roff + rlen)));
  }
  EXPECT_EQ(read(s, 0, kBytes), flat);
}

}  // namespace
}  // namespace iscsim::stack::scsi
