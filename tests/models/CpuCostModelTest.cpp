// The CPU cost model against analytic cases: instructions, memory stalls that scale with
// frequency, clears attributed to the running bin, memory-ordering clears only under loads in
// flight.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>

#include "models/cpu/CpuCostModel.hpp"
#include "tests/models/CpuCostRig.hpp"

namespace iscsim::models {
namespace {

using Rig = testing::CpuRig;

TEST(CpuCostModel, ComputeOnlyPathCostsInstructionsTimesCpi) {
  Rig r(2.4e9);
  const Cost c = r.cpu.run(0, r.paths.id("compute"), 3, 0, {}, 0);
  EXPECT_DOUBLE_EQ(c.instr, 3000);
  EXPECT_DOUBLE_EQ(c.cycles, 6000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).cycles, 6000);
}

TEST(CpuCostModel, APathAddedToTheCatalogMovesNeitherAnotherPathsCodeNorTheData) {
  // A cold call of a path with 4 KB of code and 4 KB of data: its code's lines and the data's,
  // wherever each is; the same with a catalog that has one more path, ahead of it in name order.
  const auto path = [](const char* name) {
    return std::string("\"") + name + R"(": {"bin": "TCP",
        "instr_per_call": {"value": 100, "min": 0, "max": 1e6, "source": "test"},
        "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
        "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
        "footprint_bytes": {"value": 4096, "min": 4096, "max": 4096, "source": "test"}})";
  };
  const auto cold_call = [&](const std::string& paths) {
    const CodePathCatalog catalog = CodePathCatalog::parse(nlohmann::json::parse("{\"paths\": {" + paths + "}}"), "test");
    CoherentCaches caches(CacheGeometry{1 << 19, 8, 64, 1}, 2);
    MemoryBus fsb(MemoryBusParams{3.2e9, 64});
    AddressSpace memory(64, 4096);
    CpuCostModel cpu(Rig::params(Rig::kNoPrefetch, Rig::kWholePath, true, Rig::kAlwaysInTime, 1), catalog, caches, fsb,
                     memory, 2, 2e9);
    cpu.set_counting(true);
    const Addr data = memory.region(4096);
    return std::make_pair(data, cpu.run(0, catalog.id("tcp_rcv"), 1, 0, {{data, 4096, false}}, 0));
  };
  const auto [data, alone] = cold_call(path("tcp_rcv"));
  const auto [data_too, crowded] = cold_call(path("alloc_skb") + ", " + path("tcp_rcv"));
  EXPECT_EQ(data_too, data);
  EXPECT_EQ(alone.l2_misses, 2 * 64);
  EXPECT_EQ(crowded.l2_misses, alone.l2_misses);
  EXPECT_DOUBLE_EQ(crowded.stall_cycles, alone.stall_cycles);
}

TEST(CpuCostModel, MissPenaltyInCyclesGrowsLinearlyWithFrequency) {
  const std::uint64_t bytes = 64 * 64;  // 64 lines, all cold
  double stall[2];
  const double hz[2] = {1.6e9, 3.2e9};
  for (int i = 0; i < 2; ++i) {
    Rig r(hz[i]);
    const Addr buf = r.memory.region(bytes);
    const Cost c = r.cpu.run(0, r.paths.id("compute"), 1, 0, {{buf, bytes, false}}, 0);
    EXPECT_EQ(c.l2_misses, 64);
    stall[i] = c.stall_cycles;
  }
  EXPECT_NEAR(stall[1] / stall[0], 2.0, 1e-9);
  EXPECT_NEAR(stall[0], 64 * 100e-9 * 1.6e9, 1e-6);
}

TEST(CpuCostModel, PrefetcherHidesAStreamsMissesAfterTheFirstFewPerPage) {
  Rig r(2e9, 2);
  const std::uint64_t bytes = 16 * 4096;  // 16 pages, 1024 cold lines
  const Addr buf = r.memory.region(bytes);
  // A path slow enough for memory to keep ahead of it: 1,024 lines at 100 ns, one in flight, fill
  // in 204,800 cycles; 103 calls of 2,000 take longer.
  const Cost c = r.cpu.run(0, r.paths.id("compute"), 103, 0, {{buf, bytes, false}}, 0);
  // Every line still comes from memory, but the counter sees only the demand misses the
  // prefetcher did not hide: 2 per page.
  EXPECT_EQ(c.l2_misses, 16 * 2);
  // 2 exposed misses per page at 100 ns, or the bus's 20 ns per line if that is longer.
  const double latency_ns = 16 * 2 * 100.0;
  const double bus_ns = bytes / 3.2e9 * 1e9;
  EXPECT_NEAR(c.stall_cycles, std::max(latency_ns, bus_ns) * 2.0, 1e-6);
}

// The prefetcher fetches 256 B ahead of the demand: 4 lines. A stream whose path works 16 cycles
// per line reaches each line 64 cycles after its fetch began, before the 200-cycle latency is
// over: every line is a demand miss, counted and waited for.
TEST(CpuCostModel, AStreamFasterThanItsPrefetcherReachesEachLineOnItsWay) {
  Rig r(2e9, 2, Rig::kWholePath, true, 256);
  const std::uint64_t bytes = 16 * 4096;  // 16 pages, 1024 cold lines
  const Addr buf = r.memory.region(bytes);
  const Cost c = r.cpu.run(0, r.paths.id("copy"), 1, bytes, {{buf, bytes, false}}, 0);
  EXPECT_EQ(c.l2_misses, 1024);
  EXPECT_NEAR(c.stall_cycles, 1024 * 100e-9 * 2e9, 1e-6);  // one miss in flight at a time
}

// The same stream under a path that works 50 cycles or more per line: the 4 lines ahead take 200
// cycles or more, the latency, so the lines are there when the demand comes and only the first
// two misses of each page are the demand's (memory keeping 8 lines in flight fills them in time).
TEST(CpuCostModel, AStreamSlowerThanItsPrefetcherFindsItsLinesThere) {
  Rig r(2e9, 2, Rig::kWholePath, true, 256, 8);
  const std::uint64_t bytes = 16 * 4096;
  const Addr buf = r.memory.region(bytes);
  const double calls = 26;  // 26 x 2,000 cycles over 1,024 lines: 50.8 per line
  const Cost c = r.cpu.run(0, r.paths.id("compute"), calls, 0, {{buf, bytes, false}}, 0);
  EXPECT_EQ(c.l2_misses, 16 * 2);
}

// The same path, 50.8 cycles a line, and the prefetcher 4 lines ahead, but memory keeping only 2
// lines in flight: its 1,024 lines take 102,400 cycles to fill, longer than the path's 52,000.
// The demand reaches every line on its way, and the counter sees each as a miss; the time is
// the bus's either way.
TEST(CpuCostModel, AStreamThatWantsItsLinesFasterThanMemoryFillsThemReachesEachOnItsWay) {
  const auto run = [](bool counted) {
    Rig r(2e9);
    CpuParams p = Rig::params(2, Rig::kWholePath, true, 256, 2);
    p.outrun_prefetches_count_as_l2_misses = counted;
    CpuCostModel cpu(p, r.paths, r.caches, r.fsb, r.memory, 2, 2e9);
    const std::uint64_t bytes = 16 * 4096;
    const Addr buf = r.memory.region(bytes);
    return cpu.run(0, r.paths.id("compute"), 26, 0, {{buf, bytes, false}}, 0);
  };
  const Cost counted = run(true);
  const Cost uncounted = run(false);
  EXPECT_EQ(counted.l2_misses, 1024);
  EXPECT_EQ(uncounted.l2_misses, 16 * 2);
  EXPECT_DOUBLE_EQ(counted.stall_cycles, uncounted.stall_cycles);
}

// A line Modified in the other cache comes by the same pipelined bus read as one from memory
// (HITM), so its misses overlap as memory's do: 64 of them, two in flight, wait 32 latencies.
TEST(CpuCostModel, LinesFromTheOtherCacheOverlapAsLinesFromMemoryDo) {
  Rig r(2e9, Rig::kNoPrefetch, Rig::kWholePath, true, Rig::kAlwaysInTime, 2);
  const std::uint64_t bytes = 64 * 64;
  const Addr buf = r.memory.region(bytes);
  r.cpu.run(1, r.paths.id("copy"), 0, 0, {{buf, bytes, true}}, 0);
  const Cost c = r.cpu.run(0, r.paths.id("compute"), 1, 0, {{buf, bytes, false}}, 0);
  EXPECT_EQ(c.l2_misses, 64);
  EXPECT_NEAR(c.stall_cycles, 64 * 150e-9 / 2 * 2e9, 1e-6);
}

// The prefetcher's reads take the other cache's lines as they take memory's: a slow stream over
// 16 pages another CPU wrote misses twice per page, as over cold ones; its time is then the bus's,
// each line crossing it twice (to this CPU, and written back to memory on the way).
TEST(CpuCostModel, AStreamSlowerThanItsPrefetcherFindsTheOtherCachesLinesThereToo) {
  Rig r(2e9, 2, Rig::kWholePath, true, 256, 8);
  const std::uint64_t bytes = 16 * 4096;
  const Addr buf = r.memory.region(bytes);
  r.cpu.run(1, r.paths.id("copy"), 0, 0, {{buf, bytes, true}}, 0);
  const Cost c = r.cpu.run(0, r.paths.id("compute"), 26, 0, {{buf, bytes, false}}, 0);
  EXPECT_EQ(c.l2_misses, 16 * 2);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).cache_to_cache_lines, 1024);  // every line moved
  EXPECT_GT(2.0 * bytes / 3.2e9, 16 * 2 * 150e-9);
  EXPECT_NEAR(c.stall_cycles, 2.0 * bytes / 3.2e9 * 2e9, 1e-6);
}

TEST(CpuCostModel, WarmDataCostsNoStall) {
  Rig r(2.4e9);
  const Addr buf = r.memory.region(4096);
  r.cpu.run(0, r.paths.id("copy"), 1, 4096, {{buf, 4096, false}}, 0);
  const Cost again = r.cpu.run(0, r.paths.id("copy"), 1, 4096, {{buf, 4096, false}}, 0);
  EXPECT_EQ(again.l2_misses, 0);
  EXPECT_DOUBLE_EQ(again.stall_cycles, 0);
  EXPECT_DOUBLE_EQ(again.instr, 1024);
}

TEST(CpuCostModel, ClearGoesToTheRunningBinOrTheNamedPathsAndIdleLosesNoTime) {
  Rig r(2.4e9);
  EXPECT_DOUBLE_EQ(r.cpu.clear_running(1, 1, 0, ClearCause::Interrupt), 0);  // idle
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Idle).clears, 1);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 0);
  EXPECT_DOUBLE_EQ(r.cpu.clear_running(1, 2, 0, ClearCause::Interrupt), 200);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 2);
  EXPECT_DOUBLE_EQ(r.cpu.clear(1, 1, r.paths.id("copy"), ClearCause::Cr3Load), 100);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).clears, 1);
}

// CPU1 starts a piece at 0 whose TCP path writes `bytes` at `line` for 2,000 cycles.
void victim_piece(Rig& r, Addr line, std::uint64_t bytes) {
  r.cpu.begin_piece(1, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {{line, bytes, true}}, 0);
}

TEST(CpuCostModel, SnoopOfALineUnderTheVictimsLoadsInFlightClearsIt) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);  // CPU0 takes it meanwhile
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5);
  // The victim pays the penalty in time on its next path, not again in its counters.
  const Cost next = r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 0);
  EXPECT_DOUBLE_EQ(next.cycles, 2000 + 50);
}

TEST(CpuCostModel, ALineOnlyLockedOperationsTouchIsTakenWithoutAClear) {
  // sock_wfree's atomic_sub and atomic_dec: their loads are performed at retirement, so the
  // snoop costs the victim its copy of the line, not its pipeline; speculative, they would not.
  for (const bool at_retirement : {true, false}) {
    Rig r(2.4e9, Rig::kNoPrefetch, Rig::kWholePath, at_retirement);
    const Addr line = r.memory.region(64);
    r.cpu.begin_piece(1, 0);
    r.cpu.run(1, r.paths.id("compute"), 1, 0, {{line, 64, true, true}}, 0);
    r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);
    EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, at_retirement ? 0 : 0.5);
    EXPECT_EQ(r.caches.state(1, line), Mesi::Invalid);
    EXPECT_EQ(r.caches.state(0, line), Mesi::Modified);
  }
}

TEST(CpuCostModel, ALineThePathOnlyStoresToIsTakenWithoutAClear) {
  // A descriptor filled or a copy's destination: the store fetches the line for ownership, but
  // no load of it waits to retire, so the snoop takes the line and leaves the pipeline alone.
  for (const bool by_device : {false, true}) {
    Rig r(2.4e9);
    const Addr line = r.memory.region(64);
    r.cpu.begin_piece(1, 0);
    r.cpu.run(1, r.paths.id("compute"), 1, 0, {stored(line, 64)}, 0);
    EXPECT_EQ(r.caches.state(1, line), Mesi::Modified);
    if (by_device)
      r.cpu.device_write(line, 64, 0);
    else
      r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);
    EXPECT_EQ(r.caches.state(1, line), Mesi::Invalid);
    EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0);
  }
}

TEST(CpuCostModel, ARepMovsLongAndAlignedEnoughClaimsItsDestinationsLinesWithoutWaitingForThem) {
  // 4 KB from a cold source into a cold destination, no prefetcher: a loop's stores read each
  // destination line for ownership; a fast string claims it (IA-32 SDM Vol 3A 8.2.4) unless it
  // is shorter than 256 B or its destination is not 8-byte aligned. A claim carries no data: the
  // core does not wait for it; the L2 miss counter sees it as the RFO it is, or (as the model
  // had it until 6 December 2026) not at all.
  const std::uint64_t n = 4096;
  const auto copy = [](const char* path, std::uint64_t bytes, std::uint64_t dst_offset, bool claims_counted) {
    Rig r(2e9);
    CpuParams p = Rig::params(Rig::kNoPrefetch, Rig::kWholePath, true, Rig::kAlwaysInTime, 1);
    p.claims_count_as_l2_misses = claims_counted;
    CpuCostModel cpu(p, r.paths, r.caches, r.fsb, r.memory, 2, 2e9);
    const Addr src = r.memory.region(n);
    const Addr dst = r.memory.region(n + 64) + dst_offset;
    return cpu.run(0, r.paths.id(path), 1, bytes, {{src, bytes, false}, stored(dst, bytes)}, 0);
  };
  const auto misses = [&copy](const char* path, std::uint64_t bytes, std::uint64_t dst_offset) {
    return copy(path, bytes, dst_offset, false).l2_misses;
  };
  EXPECT_EQ(misses("copy", n, 0), 2 * 64);
  EXPECT_EQ(misses("string_copy", n, 0), 64);
  EXPECT_EQ(misses("string_copy", n, 8), 64 + 2);  // the two lines it covers in part
  EXPECT_EQ(misses("string_copy", n, 4), 2 * 64 + 1);
  EXPECT_EQ(misses("string_copy", 192, 0), 2 * 3);
  // Counted, a claim is a miss per 64 B line like the loop's RFO, which the core waits for.
  const Cost loop = copy("copy", n, 0, true);
  const Cost string = copy("string_copy", n, 0, true);
  EXPECT_EQ(string.l2_misses, 2 * 64);
  EXPECT_EQ(loop.l2_misses, 2 * 64);
  EXPECT_DOUBLE_EQ(string.stall_cycles, copy("string_copy", n, 0, false).stall_cycles);
  EXPECT_LT(string.stall_cycles, loop.stall_cycles * 0.6);
}

TEST(CpuCostModel, SnoopAfterTheVictimsPathHasRunClearsNothing) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.end_piece(1, 1'000'000);  // 2,000 cycles at 2.4 GHz: about 833 ns, then the piece ends
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 2'000'000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Idle).clears, 0);
}

TEST(CpuCostModel, AWideWalkExposesOnlyAsManyLinesAsLoadsInFlight) {
  Rig r(2.4e9);  // one load in flight
  const Addr buf = r.memory.region(64 * 64);
  victim_piece(r, buf, 64 * 64);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{buf, 64 * 64, true}}, 0);  // all 64 lines taken
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5);  // 64 x 1/64 x 0.5
}

TEST(CpuCostModel, ALineLoadedOnceIsExposedForAWindowOfThePathsUopsNotAllOfThem) {
  // A full window of 100 uops is 100 of the victim path's 1,000 instructions (one uop each): a
  // tenth of its time, whatever its CPI and its stalls (the line's miss among them).
  Rig r(2.4e9, Rig::kNoPrefetch, 100);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5 * 100 / 1000);
}

TEST(CpuCostModel, ALineThePathReadsAllAlongIsExposedForAllOfIt) {
  // The same path and window, but it reads the line all along (a connection's state in TCP's
  // code): a load of it is in flight whenever the snoop comes.
  Rig r(2.4e9, Rig::kNoPrefetch, 100);
  const Addr line = r.memory.region(64);
  r.cpu.begin_piece(1, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {{line, 64, true, false, false, true}}, 0);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5);
}

// CPU1's piece from 0: 2,000 cycles of compute, then a copy that writes `line` (from about
// 833 ns); CPU0 writes the line at 100 ns, before that copy begins.
void taken_before_the_victims_path(Rig& r, Addr line) {
  r.cpu.begin_piece(1, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 0);
  r.cpu.run(1, r.paths.id("copy"), 0, 0, {{line, 64, true}}, 0);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 100'000);
}

TEST(CpuCostModel, ALineTakenBeforeTheVictimsPathReachesItIsLoadedAgainThenAndMissesThere) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  taken_before_the_victims_path(r, line);
  // No clear, and the line stays CPU0's until the clock reaches CPU1's copy.
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).clears, 0);
  EXPECT_EQ(r.caches.state(0, line), Mesi::Modified);
  const double misses_before = at(r.cpu.counters(1), Bin::Copies).l2_misses;
  // Then the copy loads it again, from CPU0's cache.
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {}, 900'000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).l2_misses, misses_before + 1);
  EXPECT_EQ(r.caches.state(1, line), Mesi::Modified);
  EXPECT_EQ(r.caches.state(0, line), Mesi::Invalid);
  // Its stall, a cache-to-cache transfer, is paid by what CPU1 runs next.
  const Cost next = r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 900'000);
  EXPECT_DOUBLE_EQ(next.cycles, 2000 + 150 * 2.4);
}

TEST(CpuCostModel, TheTakersAccessesBeforeTheVictimLoadsAgainHitInItsOwnCache) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  taken_before_the_victims_path(r, line);
  // CPU0 writes it again at 200 ns: CPU1 has not touched it in between, so no transfer.
  const Cost again = r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 200'000);
  EXPECT_DOUBLE_EQ(again.l2_misses, 0);
  EXPECT_DOUBLE_EQ(again.stall_cycles, 0);
}

TEST(CpuCostModel, TheVictimsLaterLoadClearsTheTakerIfItsLoadsAreInFlightThen) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  taken_before_the_victims_path(r, line);
  // CPU0's next piece, from 500 ns, reads the line for 2,000 cycles (to about 1,333 ns): when CPU1's
  // copy takes the line back at 833 ns, CPU0's loads on it are in flight.
  r.cpu.begin_piece(0, 500'000);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, false}}, 500'000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).clears, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 900'000);  // the clock passes 833 ns
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).clears, 0.5);
}

TEST(CpuCostModel, AReloadOfAPreemptedPieceComesLaterByThePreemption) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  taken_before_the_victims_path(r, line);  // CPU1's copy would load the line again at 833 ns
  r.cpu.end_piece(1, 1'000'000);
  // An interrupt takes CPU1 from 400 ns for 1,000 ns: the piece ends at 2,000 ns, its copy at 1,833 ns.
  Piece preempted = r.cpu.suspend_piece(1, 400'000);
  r.cpu.begin_piece(1, 400'000);
  r.cpu.resume_piece(1, std::move(preempted), 2'000'000);
  const double misses_before = at(r.cpu.counters(1), Bin::Copies).l2_misses;
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {}, 900'000);
  EXPECT_EQ(r.caches.state(0, line), Mesi::Modified);
  const Cost again = r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 1'500'000);
  EXPECT_DOUBLE_EQ(again.l2_misses, 0);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {}, 1'900'000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).l2_misses, misses_before + 1);
  EXPECT_EQ(r.caches.state(1, line), Mesi::Modified);
}

TEST(CpuCostModel, TwoPiecesThatShareALineTakeItInTurnAsTheirPathsReachIt) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  // CPU1's piece from 0: compute, a copy that writes the line (at about 833 ns), compute, and a
  // second copy that writes it (at about 1,667 ns).
  r.cpu.begin_piece(1, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 0);
  r.cpu.run(1, r.paths.id("copy"), 0, 0, {{line, 64, true}}, 0);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {}, 0);
  r.cpu.run(1, r.paths.id("copy"), 0, 0, {{line, 64, true}}, 0);
  // CPU0's piece from 100 ns: two TCP paths that each write the line, to about 933 and 1,767 ns.
  r.cpu.begin_piece(0, 100'000);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 100'000);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 100'000);
  // The clock passes them all: CPU1's first copy takes the line under CPU0's first path (a
  // clear), CPU0's second path takes it back, CPU1's second copy takes it under that path (a
  // second clear).
  r.cpu.device_write(r.memory.region(64), 64, 2'000'000);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).clears, 2 * 0.5);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).clears, 0);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Tcp).l2_misses, 2);     // its first take, its reload
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Copies).l2_misses, 3);  // from memory, two reloads
  EXPECT_EQ(r.caches.state(1, line), Mesi::Modified);
}

TEST(CpuCostModel, DeviceWriteUnderTheVictimsLoadsClearsIt) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.device_write(line, 64, 0);
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5);
}

TEST(CpuCostModel, EachClearIsCountedUnderItsCause) {
  Rig r(2.4e9);
  const auto causes = [&](Bin b) { return at(r.cpu.counters(1), b).clears_by_cause; };
  const auto of = [](const std::array<double, kClearCauseCount>& c, ClearCause cause) {
    return c[static_cast<std::size_t>(cause)];
  };
  r.cpu.flush_running(1, 0);  // a sampling NMI in the idle loop
  EXPECT_DOUBLE_EQ(of(causes(Bin::Idle), ClearCause::ProfilerNmi), 1);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 0);  // CPU0's write under CPU1's loads
  EXPECT_DOUBLE_EQ(of(causes(Bin::Tcp), ClearCause::SnoopByCpu), 0.5);
  r.cpu.run(1, r.paths.id("compute"), 1, 0, {{line, 64, false}}, 0);  // CPU1 has the line again
  r.cpu.device_write(line, 64, 0);
  EXPECT_DOUBLE_EQ(of(causes(Bin::Tcp), ClearCause::SnoopByDevice), 0.5);
  EXPECT_DOUBLE_EQ(of(causes(Bin::Tcp), ClearCause::Interrupt) + of(causes(Bin::Tcp), ClearCause::ProfilerNmi) +
                       of(causes(Bin::Tcp), ClearCause::Cr3Load),
                   0);
}

TEST(CpuCostModel, AResumedPieceIsRunningAgainAndItsLaterLoadsShift) {
  Rig r(2.4e9);
  const Addr line = r.memory.region(64);
  victim_piece(r, line, 64);
  r.cpu.end_piece(1, 1'000'000);
  Piece set_aside = r.cpu.suspend_piece(1, 500'000);
  r.cpu.set_idle(1);
  r.cpu.resume_piece(1, std::move(set_aside), 5'000'000);  // preempted for 4 us
  EXPECT_EQ(r.cpu.running(1), r.paths.id("compute"));
  r.cpu.run(0, r.paths.id("compute"), 1, 0, {{line, 64, true}}, 4'500'000);  // within the shifted path
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(1), Bin::Tcp).clears, 0.5);
}

}  // namespace
}  // namespace iscsim::models
