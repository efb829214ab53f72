#include <gtest/gtest.h>

#include <set>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::models {
namespace {

constexpr std::uint32_t kLine = 64;
constexpr std::uint32_t kPage = 4096;

TEST(AddressSpace, MostRecentlyFreedObjectIsReusedFirst) {
  AddressSpace space(kLine, kPage);
  SlabCache& skb = space.cache("skbuff_head_cache", 160);
  const Addr a = skb.alloc();
  const Addr b = skb.alloc();
  skb.free(a);
  skb.free(b);
  EXPECT_EQ(skb.alloc(), b);
  EXPECT_EQ(skb.alloc(), a);
  EXPECT_EQ(skb.live(), 2u);
}

TEST(AddressSpace, ObjectsAreRoundedToLinesAndAligned) {
  AddressSpace space(kLine, kPage);
  SlabCache& c = space.cache("odd", 100);
  EXPECT_EQ(c.object_bytes(), 2 * kLine);
  const Addr a = c.alloc();
  const Addr b = c.alloc();
  EXPECT_NE(a, 0u);
  EXPECT_EQ(a % kLine, 0u);
  EXPECT_EQ(b - a, 2 * kLine);
}

TEST(AddressSpace, SlabsGrowByWholePagesPackedWithObjects) {
  AddressSpace space(kLine, kPage);
  SlabCache& c = space.cache("small", 2 * kLine);
  constexpr std::uint32_t kPerPage = kPage / (2 * kLine);
  std::set<Addr> seen;
  for (std::uint32_t i = 0; i < kPerPage; ++i) seen.insert(c.alloc());
  EXPECT_EQ(c.pages(), 1u);
  seen.insert(c.alloc());
  EXPECT_EQ(c.pages(), 2u);
  EXPECT_EQ(seen.size(), kPerPage + 1);

  SlabCache& big = space.cache("big", kPage + 1);
  EXPECT_EQ(big.object_bytes(), kPage + kLine);
  const Addr x = big.alloc();
  EXPECT_EQ(big.pages(), 2u);  // enough pages for one object
  EXPECT_EQ(x % kPage, 0u);
  big.alloc();
  EXPECT_EQ(big.pages(), 4u);
}

TEST(AddressSpace, RegionsArePageAlignedAndDistinct) {
  AddressSpace space(kLine, kPage);
  const Addr obj = space.cache("c", kLine).alloc();
  const Addr r1 = space.region(5000);
  const Addr r2 = space.region(10);
  EXPECT_NE(r1, 0u);
  EXPECT_EQ(r1 % kPage, 0u);
  EXPECT_EQ(r2 % kPage, 0u);
  EXPECT_GE(r2, r1 + 5000);
  EXPECT_TRUE(obj < r1 || obj >= r2 + 10);
  EXPECT_NE(space.cache("c", kLine).alloc(), r1);
}

TEST(AddressSpace, DoubleFreeAndForeignFreeAreCaught) {
  AddressSpace space(kLine, kPage);
  SlabCache& c = space.cache("c", kLine);
  SlabCache& other = space.cache("other", kLine);
  const Addr a = c.alloc();
  const Addr b = other.alloc();
  c.free(a);
  EXPECT_THROW(c.free(a), std::logic_error);
  EXPECT_THROW(c.free(b), std::logic_error);
  EXPECT_THROW(c.free(a + 1), std::logic_error);
  EXPECT_THROW(c.free(0), std::logic_error);
  EXPECT_EQ(c.alloc(), a);
}

TEST(AddressSpace, SameNameMustGiveTheSameSize) {
  AddressSpace space(kLine, kPage);
  SlabCache& c = space.cache("c", 200);
  EXPECT_EQ(&space.cache("c", 200), &c);
  EXPECT_THROW(space.cache("c", 201), std::logic_error);
}

}  // namespace
}  // namespace iscsim::models
