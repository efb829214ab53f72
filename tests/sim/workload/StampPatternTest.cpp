// The workload's stamp rule as a store's pattern: codes are write generations, the prepared test
// file is generated rather than written, and only exact stamps get a code.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "sim/stack/scsi/SparseStore.hpp"
#include "sim/workload/BlockStamp.hpp"
#include "sim/workload/Generations.hpp"
#include "sim/workload/StampPattern.hpp"

namespace iscsim::workload {
namespace {

constexpr std::uint64_t kDisk = 3;

std::vector<std::uint8_t> stamped(std::uint64_t disk, std::uint64_t lba, std::uint32_t generation) {
  std::vector<std::uint8_t> b(kStampBlockBytes);
  stamp_block(StampKey{disk, lba, generation}, b.data());
  return b;
}

TEST(StampPatternTest, AnExactStampIsCodedAsItsGeneration) {
  const StampPattern p(kDisk, {});
  EXPECT_EQ(p.code_of(17, stamped(kDisk, 17, 5).data()), 5u);
  EXPECT_EQ(p.code_of(0, stamped(kDisk, 0, 1).data()), 1u);
  EXPECT_EQ(p.code_of(17, std::vector<std::uint8_t>(kStampBlockBytes, 0).data()), 0u);
  std::vector<std::uint8_t> out(kStampBlockBytes);
  p.generate(17, 5, out.data());
  EXPECT_EQ(out, stamped(kDisk, 17, 5));
}

TEST(StampPatternTest, AnythingElseHasNoCode) {
  const StampPattern p(kDisk, {});
  EXPECT_FALSE(p.code_of(18, stamped(kDisk, 17, 5).data()));      // misplaced
  EXPECT_FALSE(p.code_of(17, stamped(kDisk + 1, 17, 5).data()));  // another disk's
  for (const std::size_t at : {0u, 8u, 12u, 16u, 511u}) {
    std::vector<std::uint8_t> damaged = stamped(kDisk, 17, 5);
    damaged[at] ^= 1;
    EXPECT_FALSE(p.code_of(17, damaged.data())) << "byte " << at;
  }
  std::vector<std::uint8_t> almost_zero(kStampBlockBytes, 0);
  almost_zero[300] = 1;
  EXPECT_FALSE(p.code_of(17, almost_zero.data()));
}

TEST(StampPatternTest, AStampStartsWithItsLbaThenGenerationAndDiskAndAnyFlippedByteFailsIt) {
  const std::vector<std::uint8_t> b = stamped(kDisk, 0x0102030405060708, 9);
  std::uint64_t lba, second;
  std::memcpy(&lba, b.data(), sizeof lba);
  std::memcpy(&second, b.data() + 8, sizeof second);
  EXPECT_EQ(lba, 0x0102030405060708u);
  EXPECT_EQ(second, (std::uint64_t{9} << 32) | kDisk);
  const StampKey key{kDisk, 0x0102030405060708, 9};
  EXPECT_TRUE(block_matches(key, b.data()));
  const std::vector<std::uint8_t> zeros(kStampBlockBytes, 0);
  EXPECT_TRUE(block_matches(StampKey{kDisk, 1, 0}, zeros.data()));
  for (std::size_t at = 0; at < kStampBlockBytes; ++at) {
    std::vector<std::uint8_t> damaged = b;
    damaged[at] ^= 0x80;
    EXPECT_FALSE(block_matches(key, damaged.data())) << "byte " << at;
    std::vector<std::uint8_t> not_zero = zeros;
    not_zero[at] = 0x80;
    EXPECT_FALSE(block_matches(StampKey{kDisk, 1, 0}, not_zero.data())) << "byte " << at;
  }
}

TEST(StampPatternTest, ThePreparedTestFileIsGenerationOneOnlyInsideItsExtents) {
  const StampPattern p(kDisk, {Extent{100, 50}, Extent{1000, 10}});
  EXPECT_EQ(p.initial_code(99), 0u);
  EXPECT_EQ(p.initial_code(100), kPreparedGeneration);
  EXPECT_EQ(p.initial_code(149), kPreparedGeneration);
  EXPECT_EQ(p.initial_code(150), 0u);
  EXPECT_EQ(p.initial_code(1009), kPreparedGeneration);
}

TEST(StampPatternTest, AStoreReadsPreparedBlocksWithoutHoldingThem) {
  stack::scsi::SparseStore store(std::uint64_t{1} << 30);
  store.set_pattern(std::make_shared<StampPattern>(kDisk, std::vector<Extent>{Extent{0, 4096}}));
  std::vector<std::uint8_t> block(kStampBlockBytes);
  store.read(4095 * kStampBlockBytes, block.data(), block.size());
  EXPECT_TRUE(block_matches(StampKey{kDisk, 4095, kPreparedGeneration}, block.data()));
  store.read(4096 * kStampBlockBytes, block.data(), block.size());
  EXPECT_TRUE(block_matches(StampKey{kDisk, 4096, 0}, block.data()));
  const std::vector<std::uint8_t> next = stamped(kDisk, 7, 2);
  store.write(7 * kStampBlockBytes, next.data(), next.size());
  store.read(7 * kStampBlockBytes, block.data(), block.size());
  EXPECT_EQ(block, next);
  EXPECT_EQ(store.resident_pages(), 1u);
  EXPECT_EQ(store.raw_pages(), 0u);
}

TEST(GenerationsTest, WritesCountFromThePreparedGeneration) {
  Generations g;
  g.set_prepared({Extent{10, 5}});
  EXPECT_EQ(g.get(9), 0u);
  EXPECT_EQ(g.get(10), kPreparedGeneration);
  EXPECT_EQ(g.chunks(), 0u);
  EXPECT_EQ(g.bump(10), kPreparedGeneration + 1);
  EXPECT_EQ(g.bump(9), 1u);
  EXPECT_EQ(g.get(11), kPreparedGeneration);
  EXPECT_EQ(g.get(10), kPreparedGeneration + 1);
  EXPECT_EQ(g.chunks(), 1u);
  const std::uint64_t far = std::uint64_t{1} << 40;
  EXPECT_EQ(g.bump(far), 1u);
  EXPECT_EQ(g.get(far), 1u);
  EXPECT_EQ(g.chunks(), 2u);
}

}  // namespace
}  // namespace iscsim::workload
