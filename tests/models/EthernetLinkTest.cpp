#include <gtest/gtest.h>

#include "ModelFixtures.hpp"
#include "models/link/EthernetLink.hpp"

namespace iscsim::models {
namespace {

constexpr double kGigabit = 1e9;
constexpr std::uint32_t kFullFrameBytes = 1514;  // 14 B header + 1500 B IP packet

EthernetFraming framing() { return EthernetFraming::from(testing::params("link", "ethernet")); }

TEST(EthernetLink, FullFrameOccupies1538BytesOnTheWire) {
  EXPECT_EQ(framing().wire_bytes(kFullFrameBytes), 1538u);
}

TEST(EthernetLink, ShortFramesArePaddedToTheMinimum) {
  // 42 B (an ARP-sized frame) pads to 64 B with FCS, plus preamble and gap.
  EXPECT_EQ(framing().wire_bytes(42), 64u + 8u + 12u);
}

TEST(EthernetLink, FramesSerializeFifoAndArriveAfterLatency) {
  EthernetLinkDirection link(framing(), kGigabit, picos_from_micros(1.0));
  const FrameTransit a = link.send(0, kFullFrameBytes);
  const FrameTransit b = link.send(0, kFullFrameBytes);
  EXPECT_EQ(a.start, 0);
  EXPECT_EQ(a.end, picos_from_nanos(1526 * 8));  // preamble .. FCS at 8 ns per byte
  EXPECT_EQ(a.arrival, a.end + picos_from_micros(1.0));
  EXPECT_EQ(b.start, picos_from_nanos(1538 * 8));  // waits for the gap after the first
  EXPECT_EQ(link.frames(), 2u);
}

TEST(EthernetLink, IdleLinkStartsAtReadyTime) {
  EthernetLinkDirection link(framing(), kGigabit, 0);
  link.send(0, kFullFrameBytes);
  const FrameTransit late = link.send(picos_from_micros(100), kFullFrameBytes);
  EXPECT_EQ(late.start, picos_from_micros(100));
}

TEST(EthernetLink, LineRateGivesTheTcpGoodputBound) {
  // 1448 B of payload per 1538 B slot: 117.7 MB/s per gigabit link with timestamps.
  const double slot_s = seconds_from_picos(transfer_picos(framing().wire_bytes(kFullFrameBytes) * 8.0, kGigabit));
  EXPECT_NEAR(1448 / slot_s / 1e6, 117.685, 0.01);
}

}  // namespace
}  // namespace iscsim::models
