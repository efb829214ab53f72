// A NIC descriptor ring as the driver walks it: posting and cleaning move through the ring's
// descriptors in order, the NIC's write-backs make a descriptor's line stale in every cache when
// the NIC makes them (once, whether the driver cleans it before or after), and the driver's
// record of the ring (e1000's next_to_use and next_to_clean) is one object both sides write,
// when there is one, and its record of each descriptor (e1000's buffer_info) an array in the
// ring's order that posting and cleaning both write.
#include <gtest/gtest.h>

#include "sim/host/kernel/DescriptorRing.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint32_t kDescriptorBytes = 16;

TEST(DescriptorRing, PostsInRingOrderAndWrapsAround) {
  models::AddressSpace memory{64, 4096};
  DescriptorRing ring = DescriptorRing::allocate(memory, 4, kDescriptorBytes);
  const models::Touch first = ring.post().descriptors;
  EXPECT_EQ(first.bytes, kDescriptorBytes);
  EXPECT_TRUE(first.write);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ring.post().descriptors.addr, first.addr + (i + 1) * kDescriptorBytes);
  EXPECT_EQ(ring.post().descriptors.addr, first.addr);  // the fifth is the first again
}

TEST(DescriptorRing, ItsRecordIsOneWrittenObjectApartFromTheDescriptorsOrNothing) {
  models::AddressSpace memory{64, 4096};
  DescriptorRing with = DescriptorRing::allocate(memory, 8, kDescriptorBytes, 64);
  const models::Touch record = with.indices();
  EXPECT_EQ(record.bytes, 64u);
  EXPECT_TRUE(record.write);
  const models::Addr first = with.post().descriptors.addr;
  EXPECT_TRUE(record.addr + record.bytes <= first || record.addr >= first + 8 * kDescriptorBytes);
  EXPECT_EQ(DescriptorRing::allocate(memory, 8, kDescriptorBytes).indices().bytes, 0u);
}

TEST(DescriptorRing, EachDescriptorsRecordFollowsItInItsOwnArrayWrittenByPostAndClean) {
  models::AddressSpace memory{64, 4096};
  constexpr std::uint32_t kRecordBytes = 24;  // e1000 5.x struct e1000_buffer on i386
  DescriptorRing ring = DescriptorRing::allocate(memory, 4, kDescriptorBytes, 0, kRecordBytes);
  const DescriptorRing::Slots first = ring.post();
  EXPECT_EQ(first.records.bytes, kRecordBytes);
  EXPECT_TRUE(first.records.write);
  EXPECT_TRUE(first.records.addr + 4 * kRecordBytes <= first.descriptors.addr ||
              first.records.addr >= first.descriptors.addr + 4 * kDescriptorBytes);
  EXPECT_EQ(ring.post().records.addr, first.records.addr + kRecordBytes);
  Rig r;
  const DescriptorRing::Slots cleaned = ring.clean(r.cost, 1'000, 2);
  EXPECT_EQ(cleaned.records.addr, first.records.addr);
  EXPECT_EQ(cleaned.records.bytes, 2 * kRecordBytes);
  EXPECT_TRUE(cleaned.records.write);  // unmap_and_free zeroes dma and skb
  ring.post();
  ring.post();
  // The fifth post is the first slot again; a clean of three from the fourth stops at the end.
  EXPECT_EQ(ring.post().records.addr, first.records.addr);
  EXPECT_EQ(ring.clean(r.cost, 2'000, 3).records.bytes, 2 * kRecordBytes);
  EXPECT_EQ(DescriptorRing::allocate(memory, 4, kDescriptorBytes).post().records.bytes, 0u);
}

// Descriptors a line each, so each write-back shows in its own line.
constexpr std::uint32_t kLineDescriptor = 64;

TEST(DescriptorRing, AWriteBackMakesItsLineStaleWhenTheNicMakesItAndTheCleanWritesNothingMore) {
  Rig r;
  DescriptorRing ring = DescriptorRing::allocate(r.memory, 4, kLineDescriptor);
  const models::Addr first = ring.post().descriptors.addr;
  r.caches.read(0, first, kLineDescriptor);
  ring.write_back(r.cost, 1'000);
  EXPECT_EQ(r.caches.state(0, first), models::Mesi::Invalid);
  r.caches.read(0, first, kLineDescriptor);  // the driver reads the status
  const models::Touch cleaned = ring.clean(r.cost, 2'000).descriptors;
  EXPECT_EQ(cleaned.addr, first);
  EXPECT_FALSE(cleaned.write);
  EXPECT_NE(r.caches.state(0, first), models::Mesi::Invalid);
}

TEST(DescriptorRing, ACleanAheadOfItsWriteBacksEventWritesItThenAndTheEventNothing) {
  Rig r;
  DescriptorRing ring = DescriptorRing::allocate(r.memory, 4, kLineDescriptor);
  const models::Addr first = ring.post().descriptors.addr;
  const models::Addr second = ring.post().descriptors.addr;
  r.caches.read(0, first, 2 * kLineDescriptor);
  ring.clean(r.cost, 1'000);  // at the moment of the write-back, before its event ran
  EXPECT_EQ(r.caches.state(0, first), models::Mesi::Invalid);
  EXPECT_NE(r.caches.state(0, second), models::Mesi::Invalid);
  r.caches.read(0, first, kLineDescriptor);
  ring.write_back(r.cost, 1'000);  // its event: already written
  EXPECT_NE(r.caches.state(0, first), models::Mesi::Invalid);
  EXPECT_NE(r.caches.state(0, second), models::Mesi::Invalid);
  ring.write_back(r.cost, 2'000);  // the next descriptor's
  EXPECT_EQ(r.caches.state(0, second), models::Mesi::Invalid);
}

TEST(DescriptorRing, AFrameOfSeveralDescriptorsIsWrittenBackOnItsLastAndCleanedWhole) {
  // e1000 asks for a status write-back on a frame's last descriptor only (RS with end of packet).
  Rig r;
  constexpr std::uint32_t kRecordBytes = 24;
  DescriptorRing ring = DescriptorRing::allocate(r.memory, 8, kLineDescriptor, 0, kRecordBytes);
  const DescriptorRing::Slots frame = ring.post(3);  // a checksum context, the headers, a page piece
  EXPECT_EQ(frame.descriptors.bytes, 3 * kLineDescriptor);
  EXPECT_EQ(frame.records.bytes, 3 * kRecordBytes);
  const models::Addr next = ring.post().descriptors.addr;
  EXPECT_EQ(next, frame.descriptors.addr + 3 * kLineDescriptor);
  r.caches.read(0, frame.descriptors.addr, 4 * kLineDescriptor);
  ring.write_back(r.cost, 1'000);
  EXPECT_NE(r.caches.state(0, frame.descriptors.addr), models::Mesi::Invalid);
  EXPECT_NE(r.caches.state(0, frame.descriptors.addr + kLineDescriptor), models::Mesi::Invalid);
  EXPECT_EQ(r.caches.state(0, frame.descriptors.addr + 2 * kLineDescriptor), models::Mesi::Invalid);
  EXPECT_NE(r.caches.state(0, next), models::Mesi::Invalid);
  const DescriptorRing::Slots cleaned = ring.clean(r.cost, 2'000);
  EXPECT_EQ(cleaned.descriptors.addr, frame.descriptors.addr);
  EXPECT_EQ(cleaned.descriptors.bytes, 3 * kLineDescriptor);
  EXPECT_EQ(cleaned.records.bytes, 3 * kRecordBytes);
  // The next frame's clean comes before its write-back's event: written then, on its descriptor.
  EXPECT_EQ(ring.clean(r.cost, 3'000).descriptors.addr, next);
  EXPECT_EQ(r.caches.state(0, next), models::Mesi::Invalid);
}

}  // namespace
}  // namespace iscsim::host::kernel
