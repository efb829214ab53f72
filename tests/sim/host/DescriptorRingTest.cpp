// A NIC descriptor ring as the driver walks it: posting and cleaning move through the ring's
// descriptors in order, the NIC's write-backs make the cleaned descriptors stale in every cache,
// and the driver's record of the ring (e1000's next_to_use and next_to_clean) is one object
// both sides write, when there is one.
#include <gtest/gtest.h>

#include "sim/host/kernel/DescriptorRing.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint32_t kDescriptorBytes = 16;

TEST(DescriptorRing, PostsInRingOrderAndWrapsAround) {
  models::AddressSpace memory{64, 4096};
  DescriptorRing ring = DescriptorRing::allocate(memory, 4, kDescriptorBytes);
  const models::Touch first = ring.post();
  EXPECT_EQ(first.bytes, kDescriptorBytes);
  EXPECT_TRUE(first.write);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(ring.post().addr, first.addr + (i + 1) * kDescriptorBytes);
  EXPECT_EQ(ring.post().addr, first.addr);  // the fifth is the first again
}

TEST(DescriptorRing, ItsRecordIsOneWrittenObjectApartFromTheDescriptorsOrNothing) {
  models::AddressSpace memory{64, 4096};
  DescriptorRing with = DescriptorRing::allocate(memory, 8, kDescriptorBytes, 64);
  const models::Touch record = with.indices();
  EXPECT_EQ(record.bytes, 64u);
  EXPECT_TRUE(record.write);
  const models::Addr first = with.post().addr;
  EXPECT_TRUE(record.addr + record.bytes <= first || record.addr >= first + 8 * kDescriptorBytes);
  EXPECT_EQ(DescriptorRing::allocate(memory, 8, kDescriptorBytes).indices().bytes, 0u);
}

}  // namespace
}  // namespace iscsim::host::kernel
