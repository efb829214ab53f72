#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ModelFixtures.hpp"
#include "models/bus/BusyTimeline.hpp"
#include "models/bus/DurationMemo.hpp"
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

// The busy time of `all` as sorted, disjoint, non-touching intervals.
std::vector<BusyInterval> busy_union(std::vector<BusyInterval> all) {
  std::sort(all.begin(), all.end(), [](const BusyInterval& a, const BusyInterval& b) { return a.start < b.start; });
  std::vector<BusyInterval> merged;
  for (const BusyInterval& b : all) {
    if (!merged.empty() && b.start <= merged.back().end)
      merged.back().end = std::max(merged.back().end, b.end);
    else
      merged.push_back(b);
  }
  return merged;
}

// A BusyTimeline beside the bookings it made, checked against a plain search over them.
class PlainSearch {
 public:
  // Books and checks that the booking lands where a plain search over the busy time booked so far
  // puts it: at the earliest time at or after `ready` that no busy stretch covers for `duration`.
  ::testing::AssertionResult book(Picos ready, Picos duration) {
    Picos start = ready;
    for (const BusyInterval& b : busy_union(all_))
      if (b.end > start && b.start < start + duration) start = b.end;
    const BusyInterval got = t_.book(ready, duration);
    if (got.start != start || got.end != start + duration)
      return ::testing::AssertionFailure() << "booked [" << got.start << ", " << got.end << ") for ready " << ready
                                           << " duration " << duration << ", expected start " << start;
    if (duration > 0) all_.push_back(got);
    return ::testing::AssertionSuccess();
  }
  void forget_before(Picos floor) {
    t_.forget_before(floor);
    all_.erase(std::remove_if(all_.begin(), all_.end(), [floor](const BusyInterval& b) { return b.end < floor; }),
               all_.end());
  }
  std::uint64_t bookings() const { return t_.bookings(); }

 private:
  BusyTimeline t_;
  std::vector<BusyInterval> all_;
};

// Bookings in time order, before earlier bookings and after settled history was forgotten.
TEST(BusyTimeline, AgreesWithAPlainSearchOverEveryBooking) {
  PlainSearch t;
  std::mt19937_64 rng(15);
  Picos floor = 0;  // nothing is booked before the last forget_before
  Picos now = 0;
  for (int i = 0; i < 5000 && !HasFailure(); ++i) {
    now += static_cast<Picos>(rng() % 40);
    const Picos ready = std::max(floor, now - static_cast<Picos>(rng() % 3 == 0 ? rng() % 400 : 0));
    const Picos duration = static_cast<Picos>(rng() % 6 == 0 ? 0 : rng() % 50);
    EXPECT_TRUE(t.book(ready, duration)) << "booking " << i;
    if (rng() % 50 == 0) {
      floor = now - 200;
      t.forget_before(floor);
    }
  }
  EXPECT_EQ(t.bookings(), 5000u);
}

// A NIC's pattern: transfers booked now among write-backs booked up to a ring's worth of slots
// ahead, some exactly filling the gap between two bookings, history forgotten as it settles.
TEST(BusyTimeline, AgreesWithAPlainSearchAmongBookingsAhead) {
  constexpr Picos kSlot = 100;
  PlainSearch t;
  std::mt19937_64 rng(1515);
  Picos now = 0;
  for (int i = 0; i < 4000 && !HasFailure(); ++i) {
    now += static_cast<Picos>(rng() % 30);
    const Picos ahead = now + kSlot * static_cast<Picos>(rng() % 64);
    const Picos ready = rng() % 2 == 0 ? now : ahead;
    const Picos duration = static_cast<Picos>(rng() % 4 == 0 ? kSlot - 10 : rng() % 12);
    EXPECT_TRUE(t.book(ready, duration)) << "booking " << i;
    if (rng() % 8 == 0) t.forget_before(now);
  }
}

TEST(DurationMemo, GivesWhatItComputesForSizesThatShareAnEntry) {
  DurationMemo<> memo;
  int computed = 0;
  const auto twice = [&computed](std::uint32_t bytes) {
    ++computed;
    return Picos{2} * bytes;
  };
  for (int round = 0; round < 3; ++round)
    for (std::uint32_t bytes : {0u, 64u, 1514u, 1514u + 64u, 16u, 0xFFFFFFFFu}) EXPECT_EQ(memo.get(bytes, twice), Picos{2} * bytes);
  EXPECT_EQ(memo.get(16, twice), 32);
  EXPECT_GT(computed, 6);   // 0 and 64, 1514 and 1578 share entries and push each other out
  EXPECT_LT(computed, 18);  // the others are remembered
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
