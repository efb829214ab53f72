#include <gtest/gtest.h>

#include "ModelFixtures.hpp"
#include "models/bus/BusyTimeline.hpp"
#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"

namespace iscsim::models {
namespace {

TEST(BusyTimeline, BooksBackToBackWhenBusy) {
  BusyTimeline t;
  EXPECT_EQ(t.book(0, 10).end, 10);
  EXPECT_EQ(t.book(0, 10).start, 10);
  EXPECT_EQ(t.book(5, 10).start, 20);
  EXPECT_EQ(t.busy_total(), 30);
}

TEST(BusyTimeline, LateBookingFillsAnEarlierGap) {
  BusyTimeline t;
  t.book(100, 10);                  // [100, 110)
  EXPECT_EQ(t.book(0, 50).start, 0);  // fits before it
  EXPECT_EQ(t.book(40, 50).start, 50);   // [50, 100) fits exactly
  EXPECT_EQ(t.book(40, 1).start, 110);
}

TEST(BusyTimeline, ExactGapIsUsed) {
  BusyTimeline t;
  t.book(0, 10);
  t.book(20, 10);
  EXPECT_EQ(t.book(0, 10).start, 10);
  EXPECT_EQ(t.book(0, 1).start, 30);
}

TEST(PciBus, PostedWriteCostsDataClocksPlusOverheadPerBurst) {
  const PciBusParams p = PciBusParams::from(testing::params("pci", "pci-x-133"));
  PciBus bus(p);
  // 1024 B = 128 data clocks in 2 bursts of 512 B.
  const double clocks = 128 + 2 * p.write_overhead_clocks;
  EXPECT_EQ(bus.dma_write(0, 1024), transfer_picos(clocks, p.clock_hz));
  EXPECT_EQ(bus.bytes_written(), 1024u);
}

TEST(PciBus, SplitReadWaitsForTheBridgeLatency) {
  const PciBusParams p = PciBusParams::from(testing::params("pci", "pci-x-133"));
  PciBus bus(p);
  const Picos done = bus.dma_read(0, 64);
  EXPECT_EQ(done, p.read_latency + transfer_picos(8 + p.read_overhead_clocks, p.clock_hz));
}

TEST(PciBus, TwoGigabitPortsAtLineRateFitOnOneSegment) {
  PciBus bus(PciBusParams::from(testing::params("pci", "pci-x-133")));
  const double full_duplex_two_ports = 4 * 125e6;
  EXPECT_GT(bus.raw_bytes_per_second(), 2 * full_duplex_two_ports);
}

TEST(MemoryBus, TransfersWholeLinesAt3200MBps) {
  MemoryBus fsb(MemoryBusParams::from(testing::params("memory", "fsb-400")));
  EXPECT_DOUBLE_EQ(fsb.params().bytes_per_second, 3.2e9);
  EXPECT_EQ(fsb.transfer(0, 65), transfer_picos(128, 3.2e9));  // 65 B touches two lines
  EXPECT_EQ(fsb.lines(), 2u);
}

}  // namespace
}  // namespace iscsim::models
