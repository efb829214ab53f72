// SparseStore: spans that cross pages, zeros (or the injected pattern) where nothing was
// written, memory only for the pages a write touched, blocks the pattern codes kept as codes,
// and arbitrary data kept exactly.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/stack/scsi/SparseStore.hpp"

namespace iscsim::stack::scsi {
namespace {

constexpr std::uint32_t kPage = 4096;

std::vector<std::uint8_t> page_pattern(std::size_t n, std::uint8_t seed) {
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
  const std::vector<std::uint8_t> in = page_pattern(c.len, 7);
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
  const std::vector<std::uint8_t> a = page_pattern(kPage + 50, 1), b = page_pattern(30, 99);
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
  const std::vector<std::uint8_t> in = page_pattern(9, 3);
  s.write(kPage - 2, in.data(), in.size());
  EXPECT_EQ(read(s, kPage - 2, 9), in);
  EXPECT_EQ(s.resident_pages(), 2u);
}

TEST(SparseStoreTest, HugeCapacityCostsOnlyWrittenPages) {
  SparseStore s(std::uint64_t{1} << 44);  // 16 TiB
  const std::vector<std::uint8_t> in = page_pattern(100, 5);
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
    const std::vector<std::uint8_t> in = page_pattern(len, static_cast<std::uint8_t>(i));
    s.write(off, in.data(), len);
    std::copy(in.begin(), in.end(), flat.begin() + static_cast<std::ptrdiff_t>(off));
    const std::size_t roff = rng() % kBytes;
    const std::size_t rlen = rng() % (kBytes - roff + 1);
    ASSERT_EQ(read(s, roff, rlen), std::vector<std::uint8_t>(flat.begin() + static_cast<std::ptrdiff_t>(roff),
                                                             flat.begin() + static_cast<std::ptrdiff_t>(roff + rlen)));
  }
  EXPECT_EQ(read(s, 0, kBytes), flat);
}

// A rule in which block b under code c is 512 bytes of (b * 7 + c); the initial code is b % 3.
class CountingPattern final : public BlockPattern {
 public:
  static constexpr std::uint32_t kBlock = 512;
  std::uint32_t block_bytes() const override { return kBlock; }
  std::uint32_t initial_code(std::uint64_t block) const override { return static_cast<std::uint32_t>(block % 3); }
  std::optional<std::uint32_t> code_of(std::uint64_t block, const std::uint8_t* data) const override {
    const auto code = static_cast<std::uint8_t>(data[0] - block * 7);
    for (std::uint32_t i = 0; i < kBlock; ++i)
      if (data[i] != data[0]) return std::nullopt;
    return code;
  }
  void generate(std::uint64_t block, std::uint32_t code, std::uint8_t* out) const override {
    std::fill(out, out + kBlock, static_cast<std::uint8_t>(block * 7 + code));
  }
};

std::vector<std::uint8_t> counting(std::uint64_t first_block, std::size_t blocks, std::uint32_t code) {
  std::vector<std::uint8_t> v(blocks * CountingPattern::kBlock);
  for (std::size_t b = 0; b < blocks; ++b)
    CountingPattern().generate(first_block + b, code, v.data() + b * CountingPattern::kBlock);
  return v;
}

// A store of `blocks` blocks in pages of `page_blocks`, under the counting pattern.
SparseStore counting_store(std::uint64_t blocks, std::uint32_t page_blocks) {
  SparseStore s(blocks * CountingPattern::kBlock, page_blocks * CountingPattern::kBlock);
  s.set_pattern(std::make_shared<CountingPattern>());
  return s;
}

TEST(SparseStoreTest, NeverWrittenBlocksComeFromThePattern) {
  const SparseStore s = counting_store(64, 8);
  std::vector<std::uint8_t> want;
  for (std::uint64_t b = 0; b < 64; ++b) {
    const std::vector<std::uint8_t> one = counting(b, 1, static_cast<std::uint32_t>(b % 3));
    want.insert(want.end(), one.begin(), one.end());
  }
  EXPECT_EQ(read(s, 0, want.size()), want);
  // Spans that start and end inside blocks.
  EXPECT_EQ(read(s, 700, 3000), std::vector<std::uint8_t>(want.begin() + 700, want.begin() + 3700));
  EXPECT_EQ(s.resident_pages(), 0u);
}

TEST(SparseStoreTest, BlocksThePatternCodesAreKeptAsCodes) {
  SparseStore s = counting_store(64, 8);
  const std::vector<std::uint8_t> in = counting(5, 20, 42);
  s.write(5 * CountingPattern::kBlock, in.data(), in.size());
  EXPECT_EQ(s.resident_pages(), 4u);
  EXPECT_EQ(s.raw_pages(), 0u);
  EXPECT_EQ(read(s, 5 * CountingPattern::kBlock, in.size()), in);
  EXPECT_EQ(read(s, 4 * CountingPattern::kBlock, CountingPattern::kBlock), counting(4, 1, 1));
  EXPECT_EQ(read(s, 25 * CountingPattern::kBlock, CountingPattern::kBlock), counting(25, 1, 1));
}

// Arbitrary bytes (what an initiator in wire mode writes) are stored exactly, mixed with coded
// blocks in the same pages, and the page's other blocks keep what they held.
TEST(SparseStoreTest, RandomDataAmongCodedBlocksReadsBackExactly) {
  constexpr std::size_t kBlocks = 96;
  constexpr std::size_t kBytes = kBlocks * CountingPattern::kBlock;
  SparseStore s = counting_store(kBlocks, 8);
  std::vector<std::uint8_t> flat(kBytes);
  s.read(0, flat.data(), kBytes);
  std::mt19937 rng(7);
  for (int i = 0; i < 300; ++i) {
    std::vector<std::uint8_t> in;
    std::size_t off = 0;
    if (i % 2 == 0) {  // whole coded blocks
      const std::size_t first = rng() % kBlocks;
      in = counting(first, 1 + rng() % (kBlocks - first), static_cast<std::uint32_t>(rng() % 256));
      off = first * CountingPattern::kBlock;
    } else {  // random bytes anywhere
      off = rng() % kBytes;
      in.resize(rng() % std::min<std::size_t>(5000, kBytes - off + 1));
      for (std::uint8_t& b : in) b = static_cast<std::uint8_t>(rng());
    }
    s.write(off, in.data(), in.size());
    std::copy(in.begin(), in.end(), flat.begin() + static_cast<std::ptrdiff_t>(off));
    const std::size_t roff = rng() % kBytes;
    const std::size_t rlen = rng() % (kBytes - roff + 1);
    ASSERT_EQ(read(s, roff, rlen), std::vector<std::uint8_t>(flat.begin() + static_cast<std::ptrdiff_t>(roff),
                                                             flat.begin() + static_cast<std::ptrdiff_t>(roff + rlen)))
        << "after write " << i;
  }
  EXPECT_EQ(read(s, 0, kBytes), flat);
  EXPECT_GT(s.raw_pages(), 0u);
}

TEST(SparseStoreTest, ChangingThePatternKeepsWhatWasWritten) {
  SparseStore s = counting_store(16, 4);
  const std::vector<std::uint8_t> in = counting(2, 3, 9);
  s.write(2 * CountingPattern::kBlock, in.data(), in.size());
  std::vector<std::uint8_t> before(4 * CountingPattern::kBlock);
  s.read(0, before.data(), before.size());
  s.set_pattern(std::make_shared<ZeroPattern>());
  EXPECT_EQ(read(s, 0, before.size()), before);
  EXPECT_TRUE(all_zero(read(s, 8 * CountingPattern::kBlock, 8 * CountingPattern::kBlock)));
}

TEST(SparseStoreTest, PagesMustHoldWholePatternBlocks) {
  EXPECT_THROW(SparseStore(1 << 20, 1000), std::invalid_argument);
  SparseStore s(1 << 20, 4096);
  EXPECT_NO_THROW(s.set_pattern(std::make_shared<CountingPattern>()));
}

}  // namespace
}  // namespace iscsim::stack::scsi
