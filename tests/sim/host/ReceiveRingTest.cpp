// A receive ring as the driver and the NIC share it: a frame lands in the next posted buffer and
// its descriptor is written back when it lands, once, whether the driver takes it before or
// after that moment; without a free buffer the NIC drops the frame and writes nothing.
#include <gtest/gtest.h>

#include <utility>

#include "sim/host/kernel/ReceiveRing.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint32_t kLine = 64;  // descriptors and frames a line each: each write shows alone

struct RingRig {
  Rig r;
  ReceiveRing ring = ReceiveRing::allocate(r.memory, 4, kLine);
  Skb buffer() { return Skb{r.memory.region(kLine), r.memory.region(kLine)}; }
  // Two buffers on the ring, both in `cpu`'s cache (it read their last use).
  std::pair<Skb, Skb> two_cached_by(int cpu) {
    const Skb first = buffer();
    const Skb second = buffer();
    for (const Skb& b : {first, second}) {
      ring.fill(b);
      r.caches.read(cpu, b.data, kLine);
    }
    return {first, second};
  }
};

TEST(ReceiveRing, AFrameLandsInTheNextPostedBufferWhenItLands) {
  RingRig t;
  const auto [first, second] = t.two_cached_by(1);
  t.ring.land(t.r.cost, 1'000, kLine);
  EXPECT_EQ(t.r.caches.state(1, first.data), models::Mesi::Invalid);
  EXPECT_NE(t.r.caches.state(1, second.data), models::Mesi::Invalid);
  t.r.caches.read(0, first.data, kLine);
  const ReceiveRing::Taken taken = t.ring.take(t.r.cost, 2'000, kLine);
  EXPECT_EQ(taken.skb.data, first.data);
  EXPECT_EQ(taken.skb.head, first.head);
  EXPECT_FALSE(taken.descriptor.write);
  EXPECT_NE(t.r.caches.state(0, first.data), models::Mesi::Invalid);  // written once, when it landed
}

TEST(ReceiveRing, AFrameLandsItsOffsetIntoItsBuffer) {
  Rig r;
  constexpr std::uint32_t kOffset = 18;  // dev_alloc_skb's reserve and NET_IP_ALIGN
  ReceiveRing ring = ReceiveRing::allocate(r.memory, 4, kLine, 0, kOffset);
  const Skb buffer{r.memory.region(kLine), r.memory.region(3 * kLine)};
  ring.fill(buffer);
  r.caches.read(1, buffer.data, 3 * kLine);
  // A line's worth of frame from byte 18 on covers the buffer's first two lines, not its third.
  ring.land(r.cost, 1'000, kLine);
  EXPECT_EQ(r.caches.state(1, buffer.data), models::Mesi::Invalid);
  EXPECT_EQ(r.caches.state(1, buffer.data + kLine), models::Mesi::Invalid);
  EXPECT_NE(r.caches.state(1, buffer.data + 2 * kLine), models::Mesi::Invalid);
  // Taken with 40 B of headers, its payload starts 58 B in.
  EXPECT_EQ(ring.take(r.cost, 2'000, kLine, 40).skb.payload, buffer.data + kOffset + 40);
}

TEST(ReceiveRing, WithoutAFreeBufferTheNicDropsTheFrameAndWritesNothing) {
  RingRig t;
  const Skb only = t.buffer();
  t.ring.fill(only);
  t.ring.land(t.r.cost, 1'000, kLine);
  t.r.caches.read(0, only.data, kLine);
  t.ring.land(t.r.cost, 2'000, kLine);  // no buffer left
  EXPECT_NE(t.r.caches.state(0, only.data), models::Mesi::Invalid);
  const Skb fresh = t.buffer();
  EXPECT_TRUE(t.ring.post(fresh).descriptors.write);
  EXPECT_EQ(t.ring.take(t.r.cost, 3'000, kLine).skb.data, only.data);
}

TEST(ReceiveRing, AFrameTakenAtTheMomentItLandsIsWrittenThenAndItsLandingWritesNothing) {
  RingRig t;
  const auto [first, second] = t.two_cached_by(0);
  EXPECT_EQ(t.ring.take(t.r.cost, 1'000, kLine).skb.data, first.data);
  EXPECT_EQ(t.r.caches.state(0, first.data), models::Mesi::Invalid);
  t.r.caches.read(0, first.data, kLine);
  t.ring.land(t.r.cost, 1'000, kLine);  // its own landing's event
  EXPECT_NE(t.r.caches.state(0, first.data), models::Mesi::Invalid);
  EXPECT_NE(t.r.caches.state(0, second.data), models::Mesi::Invalid);
  t.ring.land(t.r.cost, 2'000, kLine);  // the next frame's, into the second buffer
  EXPECT_EQ(t.r.caches.state(0, second.data), models::Mesi::Invalid);
}

}  // namespace
}  // namespace iscsim::host::kernel
