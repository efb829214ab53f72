// Linux 2.4's per-CPU slab arrays: an object freed on one CPU is reused there, last in first
// out; the arrays reach the shared cache half a limit at a time.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace iscsim::host::kernel
