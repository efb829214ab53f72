#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::models {
namespace {

constexpr std::uint32_t kLineBytes = 64;
constexpr std::uint32_t kPage = 4096;

TEST(AddressSpace, MostRecentlyFreedObjectIsReusedFirst) {
  AddressSpace space(kLineBytes, kPage);
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
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("odd", 100);
  EXPECT_EQ(c.object_bytes(), 2 * kLineBytes);
  const Addr a = c.alloc();
  const Addr b = c.alloc();
  EXPECT_NE(a, 0u);
  EXPECT_EQ(a % kLineBytes, 0u);
  EXPECT_EQ(b - a, 2 * kLineBytes);
}

TEST(AddressSpace, SlabsGrowByWholePagesPackedWithObjects) {
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("small", 2 * kLineBytes);
  constexpr std::uint32_t kPerPage = kPage / (2 * kLineBytes);
  std::set<Addr> seen;
  for (std::uint32_t i = 0; i < kPerPage; ++i) seen.insert(c.alloc());
  EXPECT_EQ(c.pages(), 1u);
  seen.insert(c.alloc());
  EXPECT_EQ(c.pages(), 2u);
  EXPECT_EQ(seen.size(), kPerPage + 1);

  SlabCache& big = space.cache("big", kPage + 1);
  EXPECT_EQ(big.object_bytes(), kPage + kLineBytes);
  const Addr x = big.alloc();
  EXPECT_EQ(big.pages(), 2u);  // enough pages for one object
  EXPECT_EQ(x % kPage, 0u);
  big.alloc();
  EXPECT_EQ(big.pages(), 4u);
}

TEST(AddressSpace, RegionsArePageAlignedAndDistinct) {
  AddressSpace space(kLineBytes, kPage);
  const Addr obj = space.cache("c", kLineBytes).alloc();
  const Addr r1 = space.region(5000);
  const Addr r2 = space.region(10);
  EXPECT_NE(r1, 0u);
  EXPECT_EQ(r1 % kPage, 0u);
  EXPECT_EQ(r2 % kPage, 0u);
  EXPECT_GE(r2, r1 + 5000);
  EXPECT_TRUE(obj < r1 || obj >= r2 + 10);
  EXPECT_NE(space.cache("c", kLineBytes).alloc(), r1);
}

TEST(AddressSpace, DoubleFreeAndForeignFreeAreCaught) {
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("c", kLineBytes);
  SlabCache& other = space.cache("other", kLineBytes);
  const Addr a = c.alloc();
  const Addr b = other.alloc();
  c.free(a);
  EXPECT_THROW(c.free(a), std::logic_error);
  EXPECT_THROW(c.free(b), std::logic_error);
  EXPECT_THROW(c.free(a + 1), std::logic_error);
  EXPECT_THROW(c.free(0), std::logic_error);
  EXPECT_EQ(c.alloc(), a);
}

TEST(AddressSpace, ObjectsOfManySlabsAmongOtherPagesFreeAndComeBack) {
  // Thousands of slabs, more pages than one chunk of the page map covers, interleaved with
  // another cache's slabs and a large region: every object is found again, and only its own.
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("size-2048", 2048);
  SlabCache& other = space.cache("other", 3 * kPage);
  std::vector<Addr> mine;
  std::vector<Addr> theirs;
  for (int i = 0; i < 3000; ++i) {
    mine.push_back(c.alloc());
    if (i % 7 == 0) theirs.push_back(other.alloc());
    if (i == 1000) space.region(64 << 20);
  }
  EXPECT_EQ(c.pages(), 1500u);
  for (const Addr b : theirs) EXPECT_THROW(c.free(b), std::logic_error);
  EXPECT_THROW(c.free(mine.back() + 2048), std::logic_error);  // the slab's end, never carved
  for (const Addr a : mine) c.free(a);
  EXPECT_EQ(c.live(), 0u);
  for (const Addr b : theirs) other.free(b);
  for (auto it = mine.rbegin(); it != mine.rend(); ++it) EXPECT_EQ(c.alloc(), *it);
  EXPECT_EQ(c.pages(), 1500u);
  EXPECT_THROW(c.free(std::uint64_t{1} << 60), std::logic_error);
}

TEST(AddressSpace, AnObjectsSlabDescriptorIsOneLineSharedByItsSlabsObjectsOnly) {
  // size-2048: two objects a page, so a slab descriptor a pair; descriptors are packed lines,
  // apart from the objects and from the cache's own line.
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("size-2048", 2048);
  const Addr a = c.alloc();
  const Addr b = c.alloc();
  const Addr other = c.alloc();
  EXPECT_EQ(c.descriptor_of(a), c.descriptor_of(b));
  EXPECT_NE(c.descriptor_of(a), c.descriptor_of(other));
  EXPECT_EQ(c.descriptor_of(other) - c.descriptor_of(a), kLineBytes);
  EXPECT_NE(c.descriptor_of(a), c.control());
  for (const Addr object : {a, b, other}) {
    EXPECT_FALSE(c.descriptor_of(a) >= object && c.descriptor_of(a) < object + c.object_bytes());
    EXPECT_FALSE(c.control() >= object && c.control() < object + c.object_bytes());
  }
  EXPECT_THROW(c.descriptor_of(a + kLineBytes), std::logic_error);
}

TEST(AddressSpace, CodeIsPlacedByItsNameAloneApartFromData) {
  AddressSpace alone(kLineBytes, kPage);
  const Addr tcp = alone.text("tcp_sendmsg", 3000);
  const Addr data = alone.region(100);
  // Another routine's code before it moves neither it nor the data after it.
  AddressSpace crowded(kLineBytes, kPage);
  const Addr other = crowded.text("e1000_tx_csum", 9000);
  EXPECT_EQ(crowded.text("tcp_sendmsg", 3000), tcp);
  EXPECT_EQ(crowded.region(100), data);
  EXPECT_EQ(tcp % kPage, 0u);
  EXPECT_GT(tcp, data);
  EXPECT_TRUE(other + 9000 <= tcp || tcp + 3000 <= other);
  EXPECT_EQ(crowded.text("tcp_sendmsg", 4000), tcp);  // the same routine, the same code
  EXPECT_THROW(crowded.text("tcp_sendmsg", 5000), std::logic_error);
  EXPECT_THROW(crowded.text("empty", 0), std::invalid_argument);
}

TEST(AddressSpace, AnotherTextLayoutPlacesCodeElsewhereByTheSameRule) {
  AddressSpace shipped(kLineBytes, kPage);
  AddressSpace zero(kLineBytes, kPage, 0);
  AddressSpace one(kLineBytes, kPage, 1);
  AddressSpace one_again(kLineBytes, kPage, 1);
  int moved = 0;
  for (const char* name : {"tcp_sendmsg", "tcp_recvmsg", "schedule", "wake_up"}) {
    const Addr a = shipped.text(name, 3000);
    EXPECT_EQ(zero.text(name, 3000), a) << name;
    const Addr b = one.text(name, 3000);
    EXPECT_EQ(one_again.text(name, 3000), b) << name;
    EXPECT_EQ(b % kPage, 0u) << name;
    moved += b != a;
  }
  EXPECT_GT(moved, 0);
  // The data do not move with the code.
  EXPECT_EQ(one.region(100), shipped.region(100));
}

TEST(AddressSpace, RoutinesWhoseNamesCollideGetDistinctPages) {
  AddressSpace space(kLineBytes, kPage);
  std::set<Addr> pages;
  for (int i = 0; i < 2000; ++i) {
    const Addr base = space.text("routine_" + std::to_string(i), 2 * kPage);
    EXPECT_TRUE(pages.insert(base / kPage).second);
    EXPECT_TRUE(pages.insert(base / kPage + 1).second);
  }
}

TEST(AddressSpace, SameNameMustGiveTheSameSize) {
  AddressSpace space(kLineBytes, kPage);
  SlabCache& c = space.cache("c", 200);
  EXPECT_EQ(&space.cache("c", 200), &c);
  EXPECT_THROW(space.cache("c", 201), std::logic_error);
}

}  // namespace
}  // namespace iscsim::models
