// Linux 2.4's per-CPU slab arrays: an object freed on one CPU is reused there, last in first
// out; the arrays reach the shared cache half a limit at a time, and those moves (every
// allocation and free without arrays) are told to whoever charges them.
#include <gtest/gtest.h>

#include <vector>

#include "sim/host/kernel/PerCpuSlab.hpp"

namespace iscsim::host::kernel {
namespace {

struct SlabRig {
  models::AddressSpace memory{64, 4096};
  models::SlabCache& shared = memory.cache("objects", 192);  // small: the 252 limit applies
  PerCpuSlab slab{shared, 2, CpuCacheLimits{60, 124, 4}};
};

TEST(PerCpuSlab, AnObjectFreedOnOneCpuIsReusedThereNotOnTheOther) {
  SlabRig r;
  const models::Addr a = r.slab.alloc(1);
  r.slab.free(1, a);
  EXPECT_NE(r.slab.alloc(0), a);
  EXPECT_EQ(r.slab.alloc(1), a);
}

TEST(PerCpuSlab, AnEmptyArrayRefillsABatchAndAFullOneReturnsItsOldestBatch) {
  SlabRig r;
  r.slab.alloc(0);  // refills 2 (half the limit of 4), hands out one
  EXPECT_EQ(r.shared.live(), 2u);
  std::vector<models::Addr> objects;
  for (int i = 0; i < 4; ++i) objects.push_back(r.slab.alloc(1));
  for (models::Addr o : objects) r.slab.free(1, o);  // CPU1's array: 4 of 4
  const std::uint64_t live = r.shared.live();
  r.slab.free(0, r.slab.alloc(0));
  const models::Addr extra = r.slab.alloc(0);
  r.slab.free(1, extra);  // full: the 2 oldest go back first
  EXPECT_EQ(r.shared.live(), live - 2);
  EXPECT_EQ(r.slab.alloc(1), extra);
}

TEST(PerCpuSlab, WithoutACpuOrWithNoArraysItIsTheSharedCache) {
  models::AddressSpace memory{64, 4096};
  models::SlabCache& shared = memory.cache("objects", 192);
  PerCpuSlab off{shared, 2, CpuCacheLimits{}};
  const models::Addr a = off.alloc(0);
  off.free(0, a);
  EXPECT_EQ(shared.live(), 0u);
  PerCpuSlab on{shared, 2, CpuCacheLimits{60, 124, 252}};
  const models::Addr b = on.alloc(kNoCpu);
  EXPECT_EQ(shared.live(), 1u);
  on.free(kNoCpu, b);
  EXPECT_EQ(shared.live(), 0u);
}

TEST(PerCpuSlab, ObjectsLargerThanAPageHaveNoArrays) {
  // enable_cpucache returns before setting a limit for them: each free goes straight back.
  const CpuCacheLimits limits{60, 124, 252, 4096};
  EXPECT_EQ(limits.for_object(4096), 60u);
  EXPECT_EQ(limits.for_object(8192), 0u);
  models::AddressSpace memory{64, 4096};
  models::SlabCache& shared = memory.cache("size-16384", 16384);
  PerCpuSlab slab{shared, 2, limits};
  slab.free(0, slab.alloc(0));
  EXPECT_EQ(shared.live(), 0u);
}

struct Move {
  int cpu;
  bool refill;
  std::vector<models::Addr> objects;
  bool operator==(const Move& o) const { return cpu == o.cpu && refill == o.refill && objects == o.objects; }
};

TEST(PerCpuSlab, OnlyMovesToAndFromTheSharedCacheAreTold) {
  SlabRig r;
  std::vector<Move> moves;
  r.slab.on_moved([&](int cpu, bool refill, const std::vector<models::Addr>& o) { moves.push_back({cpu, refill, o}); });
  r.slab.alloc(kNoCpu);  // before the run: on no CPU, nothing to charge
  const models::Addr a = r.slab.alloc(1);  // an empty array: a refill of 2
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(moves[0].cpu, 1);
  EXPECT_TRUE(moves[0].refill);
  ASSERT_EQ(moves[0].objects.size(), 2u);
  EXPECT_EQ(moves[0].objects[1], a);  // the last taken is handed out first
  const models::Addr b = r.slab.alloc(1);  // from the array
  EXPECT_EQ(moves.size(), 1u);
  std::vector<models::Addr> freed{a, b, r.slab.alloc(0), r.slab.alloc(0)};  // CPU0: one refill
  for (const models::Addr o : freed) r.slab.free(1, o);  // CPU1's array: 4 of 4, nothing moves
  EXPECT_EQ(moves.size(), 2u);
  r.slab.free(1, r.slab.alloc(1));  // from the array, and back: nothing
  const models::Addr extra = r.slab.alloc(0);
  r.slab.free(1, extra);  // full: the oldest 2 go back
  ASSERT_EQ(moves.size(), 4u);  // CPU0's second refill, then CPU1's drain
  EXPECT_EQ(moves[3], (Move{1, false, {freed[0], freed[1]}}));
}

TEST(PerCpuSlab, WithoutArraysEveryAllocationAndFreeIsAMove) {
  models::AddressSpace memory{64, 4096};
  PerCpuSlab off{memory.cache("objects", 192), 2, CpuCacheLimits{}};
  std::vector<Move> moves;
  off.on_moved([&](int cpu, bool refill, const std::vector<models::Addr>& o) { moves.push_back({cpu, refill, o}); });
  const models::Addr a = off.alloc(0);
  off.free(1, a);
  const std::vector<Move> expected{{0, true, {a}}, {1, false, {a}}};
  EXPECT_EQ(moves, expected);
}

}  // namespace
}  // namespace iscsim::host::kernel
