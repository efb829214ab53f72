// Linux 2.4's routing cache as the model keeps it: per remote address on a NIC an output route,
// an input route with its hash bucket and a hardware-header cache, made once; every packet writes its route's hot
// line, and dst_release only decrements its refcount with a locked operation.
#include <gtest/gtest.h>

#include "sim/host/kernel/RouteCache.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint32_t kRouteLineBytes = 64;
constexpr std::uint32_t kTarget = 0x0a000002;

RouteObjectBytes bytes_2_4() { return {40, 160, 40, 8}; }

TEST(RouteCache, EachRemoteOnANicHasItsOwnRoutesMadeOnce) {
  models::AddressSpace memory{kRouteLineBytes, 4096};
  RouteCache routes{memory, bytes_2_4()};
  const RouteCache::Route a = routes.to(0, kTarget);
  EXPECT_NE(a.output, 0u);
  EXPECT_NE(a.input, 0u);
  EXPECT_NE(a.hh, 0u);
  EXPECT_NE(a.output, a.input);
  const RouteCache::Route again = routes.to(0, kTarget);
  EXPECT_EQ(again.output, a.output);
  EXPECT_EQ(again.input, a.input);
  EXPECT_EQ(again.hh, a.hh);
  const RouteCache::Route other_nic = routes.to(1, kTarget);
  const RouteCache::Route other_target = routes.to(0, kTarget + 1);
  EXPECT_NE(other_nic.output, a.output);
  EXPECT_NE(other_target.input, a.input);
  // Distinct lines: two routes never share the line their packets write.
  EXPECT_NE(other_nic.output / kRouteLineBytes, a.output / kRouteLineBytes);
}

TEST(RouteCache, ASentFrameWritesItsRouteAndHeaderCacheAndAReceivedOneItsInputRoute) {
  models::AddressSpace memory{kRouteLineBytes, 4096};
  RouteCache routes{memory, bytes_2_4()};
  const RouteCache::Route r = routes.to(0, kTarget);
  const auto [out, hh] = routes.transmit(r);
  EXPECT_EQ(out.addr, r.output);
  EXPECT_EQ(out.bytes, 40u);
  EXPECT_TRUE(out.write);
  EXPECT_FALSE(out.locked);  // __sk_dst_check's and ip_queue_xmit2's loads can be in flight
  EXPECT_EQ(hh.addr, r.hh);
  EXPECT_EQ(hh.bytes, 40u);
  EXPECT_TRUE(hh.write);
  EXPECT_FALSE(hh.locked);  // the header's copy loads beside the read lock
  const auto [bucket, in] = routes.input(r);
  EXPECT_NE(r.bucket, 0u);
  EXPECT_EQ(bucket.addr, r.bucket);
  EXPECT_EQ(bucket.bytes, 8u);
  EXPECT_TRUE(bucket.write);
  EXPECT_FALSE(bucket.locked);  // the chain's load beside the read lock
  EXPECT_EQ(in.addr, r.input);
  EXPECT_TRUE(in.write);
  EXPECT_FALSE(in.locked);  // __use++ loads
}

TEST(RouteCache, DstReleaseIsALockedDecrementAndNothingWithoutARoute) {
  models::AddressSpace memory{kRouteLineBytes, 4096};
  RouteCache routes{memory, bytes_2_4()};
  const RouteCache::Route r = routes.to(0, kTarget);
  const models::Touch drop = routes.release(r.input);
  EXPECT_EQ(drop.addr, r.input);
  EXPECT_TRUE(drop.write);
  EXPECT_TRUE(drop.locked);
  EXPECT_EQ(routes.release(0).bytes, 0u);
}

TEST(RouteCache, WithoutItsLinesNoRouteIsMadeAndNoTouchHasBytes) {
  models::AddressSpace memory{kRouteLineBytes, 4096};
  RouteCache routes{memory, {0, 160, 40, 8}};
  const RouteCache::Route r = routes.to(0, kTarget);
  EXPECT_EQ(r.output, 0u);
  EXPECT_EQ(r.input, 0u);
  EXPECT_EQ(r.hh, 0u);
  EXPECT_EQ(r.bucket, 0u);
  const auto [out, hh] = routes.transmit(r);
  EXPECT_EQ(out.bytes, 0u);
  EXPECT_EQ(hh.bytes, 0u);
  const auto [bucket, in] = routes.input(r);
  EXPECT_EQ(bucket.bytes, 0u);
  EXPECT_EQ(in.bytes, 0u);
}

}  // namespace
}  // namespace iscsim::host::kernel
