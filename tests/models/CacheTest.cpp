#include <gtest/gtest.h>

#include <map>

#include "ModelFixtures.hpp"
#include "models/cache/CoherentCaches.hpp"

namespace iscsim::models {
namespace {

constexpr std::uint32_t kLine = 64;
constexpr std::uint32_t kWays = 4;
constexpr std::uint32_t kSmallCache = 32 * 1024;  // 128 sets of 4 ways
constexpr Addr kBase = 1 << 20;

CacheGeometry small(std::uint32_t sector_lines) {
  CacheGeometry g;
  g.size_bytes = kSmallCache;
  g.ways = kWays;
  g.line_bytes = kLine;
  g.sector_lines = sector_lines;
  return g;
}

// Records what the snoop listener was told, victim CPU -> (calls, lines).
struct Recorder {
  std::map<int, std::pair<int, std::uint64_t>> seen;
  CoherentCaches::SnoopListener listener() {
    return [this](int cpu, std::uint64_t lines) {
      ++seen[cpu].first;
      seen[cpu].second += lines;
    };
  }
};

TEST(CacheGeometry, ReadsTheShippedXeonL2) {
  const ParamSet p = testing::params("cache", "xeon-prestonia-l2");
  const CacheGeometry g = CacheGeometry::from(p);
  EXPECT_EQ(g.size_bytes, 512u * 1024);
  EXPECT_EQ(g.ways, 8u);
  EXPECT_EQ(g.line_bytes, 64u);
  EXPECT_EQ(g.sector_lines, 2u);
  EXPECT_FALSE(g.ownership_reads_fill_sector);
  EXPECT_EQ(g.sets(), 1024u);
  EXPECT_NO_THROW(p.require_all_read());
}

TEST(CacheGeometry, RejectsSetCountNotAPowerOfTwo) {
  // 3 sets of 4 ways of 64 B.
  ParamSet p(nlohmann::json::parse(R"({"params": {
      "size_bytes": {"value": 768, "unit": "B", "source": "s"},
      "ways": {"value": 4, "unit": "ways", "source": "s"},
      "line_bytes": {"value": 64, "unit": "B", "source": "s"},
      "sector_lines": {"value": 1, "unit": "lines", "source": "s"},
      "ownership_reads_fill_sector": {"value": 1, "unit": "boolean", "source": "s"}}})"),
             "bad-cache.json");
  try {
    CacheGeometry::from(p);
    FAIL() << "accepted 3 sets";
  } catch (const ParamError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad-cache.json"), std::string::npos) << what;
    EXPECT_NE(what.find("power of two"), std::string::npos) << what;
  }
}

TEST(CacheCoherence, ColdStreamingReadMissesOncePerLine) {
  CoherentCaches c(small(1), 2);
  const std::uint64_t n = kSmallCache / 2;
  const AccessCounts a = c.read(0, kBase, n);
  EXPECT_EQ(a.lines, n / kLine);
  EXPECT_EQ(a.misses, n / kLine);
  EXPECT_EQ(a.from_memory, n / kLine);
  EXPECT_EQ(a.prefetched, 0u);
  EXPECT_EQ(a.bus_bytes, n);
  EXPECT_EQ(c.state(0, kBase), Mesi::Exclusive);
}

TEST(CacheCoherence, ColdStreamingReadWithSectorsMissesOncePerSector) {
  CoherentCaches c(small(2), 2);
  const std::uint64_t n = kSmallCache / 2;
  const AccessCounts a = c.read(0, kBase, n);
  EXPECT_EQ(a.misses, n / (2 * kLine));
  EXPECT_EQ(a.prefetched, n / (2 * kLine));
  EXPECT_EQ(a.bus_bytes, n);
}

TEST(CacheCoherence, ColdStreamingWriteWithSectorsMissesOncePerSectorWhenOwnershipReadsFillThem) {
  CacheGeometry g = small(2);
  g.ownership_reads_fill_sector = true;
  CoherentCaches c(g, 2);
  const std::uint64_t n = kSmallCache / 2;
  const AccessCounts a = c.write(0, kBase, n);
  EXPECT_EQ(a.misses, n / (2 * kLine));
  EXPECT_EQ(a.prefetched, n / (2 * kLine));
  EXPECT_EQ(a.bus_bytes, n);
  EXPECT_EQ(c.state(0, kBase), Mesi::Modified);
  EXPECT_EQ(c.state(0, kBase + n - kLine), Mesi::Modified);  // the companion, written after it came
}

TEST(CacheCoherence, ColdStreamingWriteMissesOncePerLineWhenOwnershipReadsFetchTheirLineOnly) {
  CoherentCaches c(small(2), 2);
  const std::uint64_t n = kSmallCache / 2;
  const AccessCounts a = c.write(0, kBase, n);
  EXPECT_EQ(a.misses, n / kLine);
  EXPECT_EQ(a.prefetched, 0u);
}

TEST(CacheCoherence, AFastStringStoreClaimsTheLinesItCoversWholeAndReadsTheOthersForOwnership) {
  CoherentCaches c(small(2), 2);
  const std::uint64_t whole = 9;
  const AccessCounts a = c.write_whole_lines(0, kBase + 8, (whole + 1) * kLine);
  EXPECT_EQ(a.lines, whole + 2);
  EXPECT_EQ(a.claimed, whole);
  EXPECT_EQ(a.misses, 2u);               // the first and last lines, covered in part
  EXPECT_EQ(a.bus_bytes, 2u * kLine);    // their fills: a claimed line moves no data
  for (std::uint64_t i = 0; i < whole + 2; ++i) EXPECT_EQ(c.state(0, kBase + i * kLine), Mesi::Modified);
}

TEST(CacheCoherence, AFastStringStoreOverThePeersModifiedLinesHasThemWrittenBackNotReadByIt) {
  CoherentCaches c(small(1), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  c.write(1, kBase, 2 * kLine);
  const AccessCounts a = c.write_whole_lines(0, kBase, 2 * kLine);
  EXPECT_EQ(a.misses, 0u);
  EXPECT_EQ(a.claimed, 2u);
  EXPECT_EQ(a.writebacks, 2u);
  EXPECT_EQ(a.bus_bytes, 2u * kLine);
  EXPECT_EQ(c.state(0, kBase), Mesi::Modified);
  EXPECT_EQ(c.state(1, kBase + kLine), Mesi::Invalid);
  EXPECT_EQ(r.seen[1], std::make_pair(1, std::uint64_t{2}));
}

TEST(CacheCoherence, OwnershipReadsCompanionComesAsDataNotOwned) {
  CacheGeometry g = small(2);
  g.ownership_reads_fill_sector = true;
  CoherentCaches c(g, 2);
  c.read(1, kBase + kLine, kLine);  // CPU1 holds the second half (with the first, Exclusive then Shared)
  const AccessCounts a = c.write(0, kBase + 2 * kLine, 1);  // a cold sector: its companion comes clean
  EXPECT_EQ(a.prefetched, 1u);
  EXPECT_EQ(c.state(0, kBase + 3 * kLine), Mesi::Exclusive);
  c.write(0, kBase, 1);  // CPU1's copy of the written line is invalidated, of its companion kept
  EXPECT_EQ(c.state(1, kBase), Mesi::Invalid);
  EXPECT_EQ(c.state(1, kBase + kLine), Mesi::Shared);
  EXPECT_EQ(c.state(0, kBase + kLine), Mesi::Shared);
}

TEST(CacheCoherence, SectorCompanionBeyondTheAccessIsPrefetched) {
  CoherentCaches c(small(2), 1);
  const AccessCounts a = c.read(0, kBase + kLine, 1);  // second half of a sector
  EXPECT_EQ(a.misses, 1u);
  EXPECT_EQ(a.prefetched, 1u);
  EXPECT_EQ(c.state(0, kBase), Mesi::Exclusive);
  EXPECT_EQ(c.read(0, kBase, kLine).misses, 0u);
}

TEST(CacheCoherence, WarmReadMissesZeroTimes) {
  CoherentCaches c(small(2), 2);
  const std::uint64_t n = kSmallCache / 2;
  c.read(0, kBase, n);
  const AccessCounts a = c.read(0, kBase, n);
  EXPECT_EQ(a.misses, 0u);
  EXPECT_EQ(a.bus_bytes, 0u);
}

TEST(CacheCoherence, StreamingMoreThanTheCacheMissesAgain) {
  CoherentCaches c(small(1), 1);
  const std::uint64_t n = 2 * kSmallCache;
  c.read(0, kBase, n);
  EXPECT_EQ(c.read(0, kBase, n).misses, n / kLine);  // LRU evicted every line before its reuse
}

TEST(CacheCoherence, LineWrittenAlternatelyMovesOncePerWrite) {
  CoherentCaches c(small(2), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  const AccessCounts first = c.write(0, kBase, kLine);
  EXPECT_EQ(first.from_memory, 1u);
  EXPECT_EQ(first.prefetched, 0u);  // no sector fill on writes
  constexpr int kRounds = 10;
  for (int i = 1; i <= kRounds; ++i) {
    const int cpu = i % 2;
    const AccessCounts a = c.write(cpu, kBase, kLine);
    EXPECT_EQ(a.misses, 1u);
    EXPECT_EQ(a.from_peer, 1u);
    EXPECT_EQ(c.state(cpu, kBase), Mesi::Modified);
    EXPECT_EQ(c.state(1 - cpu, kBase), Mesi::Invalid);
  }
  EXPECT_EQ(r.seen[0].second + r.seen[1].second, static_cast<std::uint64_t>(kRounds));
}

TEST(CacheCoherence, ReadOfPeerModifiedLineIsFromPeerAndLeavesBothShared) {
  CoherentCaches c(small(2), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  c.write(0, kBase, kLine);
  const AccessCounts a = c.read(1, kBase, kLine);
  EXPECT_EQ(a.misses, 1u);
  EXPECT_EQ(a.from_peer, 1u);
  EXPECT_EQ(a.from_memory, 0u);
  EXPECT_EQ(a.writebacks, 1u);
  EXPECT_EQ(a.bus_bytes, 2u * kLine);  // the owner's writeback and the fill
  EXPECT_EQ(c.state(0, kBase), Mesi::Shared);
  EXPECT_EQ(c.state(1, kBase), Mesi::Shared);
  EXPECT_TRUE(r.seen.empty());  // the owner keeps a current copy: nothing was taken from it
}

TEST(CacheCoherence, SecondReaderSharesAnExclusiveLineSilently) {
  CoherentCaches c(small(1), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  c.read(0, kBase, kLine);
  const AccessCounts a = c.read(1, kBase, kLine);
  EXPECT_EQ(a.from_memory, 1u);  // the FSB has no clean intervention
  EXPECT_EQ(c.state(0, kBase), Mesi::Shared);
  EXPECT_EQ(c.state(1, kBase), Mesi::Shared);
  EXPECT_TRUE(r.seen.empty());
}

TEST(CacheCoherence, WriteToSharedLineUpgradesAndInvalidatesTheOthers) {
  CoherentCaches c(small(1), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  const std::uint64_t lines = 3;
  c.read(0, kBase, lines * kLine);
  c.read(1, kBase, lines * kLine);
  const AccessCounts a = c.write(0, kBase, lines * kLine);
  EXPECT_EQ(a.misses, 0u);
  EXPECT_EQ(a.upgrades, lines);
  EXPECT_EQ(a.bus_bytes, 0u);
  EXPECT_EQ(c.state(0, kBase), Mesi::Modified);
  EXPECT_EQ(c.state(1, kBase), Mesi::Invalid);
  EXPECT_EQ(r.seen[1], std::make_pair(1, lines));  // one call per victim per access
}

TEST(CacheCoherence, DmaWriteInvalidatesAndTellsTheListener) {
  CoherentCaches c(small(1), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  const std::uint64_t lines = 4;
  c.read(0, kBase, lines * kLine);
  c.write(1, kBase + lines * kLine, kLine);
  const AccessCounts d = c.dma_write(kBase, (lines + 1) * kLine);
  EXPECT_EQ(d.writebacks, 0u);  // the device overwrites the Modified line whole
  EXPECT_EQ(d.bus_bytes, (lines + 1) * kLine);
  EXPECT_EQ(r.seen[0], std::make_pair(1, lines));
  EXPECT_EQ(r.seen[1], std::make_pair(1, std::uint64_t{1}));
  EXPECT_EQ(c.read(0, kBase, lines * kLine).misses, lines);
}

TEST(CacheCoherence, DmaReadWritesBackAModifiedLine) {
  CoherentCaches c(small(1), 2);
  Recorder r;
  c.set_snoop_listener(r.listener());
  c.write(1, kBase, kLine);
  const AccessCounts d = c.dma_read(kBase, 2 * kLine);
  EXPECT_EQ(d.writebacks, 1u);
  EXPECT_EQ(d.bus_bytes, 3u * kLine);  // one writeback, two lines of data
  EXPECT_EQ(c.state(1, kBase), Mesi::Shared);
  EXPECT_TRUE(r.seen.empty());  // nor from the owner of a line a device reads
  EXPECT_EQ(c.read(1, kBase, kLine).misses, 0u);
}

TEST(CacheCoherence, EvictingAModifiedLineWritesItBack) {
  CoherentCaches c(small(1), 1);
  const std::uint64_t set_stride = kSmallCache / kWays;  // same set, next tag
  c.write(0, kBase, kLine);
  for (std::uint32_t i = 1; i < kWays; ++i) EXPECT_EQ(c.read(0, kBase + i * set_stride, kLine).writebacks, 0u);
  const AccessCounts a = c.read(0, kBase + kWays * set_stride, kLine);
  EXPECT_EQ(a.writebacks, 1u);
  EXPECT_EQ(a.bus_bytes, 2u * kLine);
  EXPECT_EQ(c.state(0, kBase), Mesi::Invalid);
}

TEST(CacheCoherence, SetConflictEvictsTheLeastRecentlyUsed) {
  CoherentCaches c(small(1), 1);
  const std::uint64_t set_stride = kSmallCache / kWays;
  for (std::uint32_t i = 0; i < kWays; ++i) c.read(0, kBase + i * set_stride, kLine);
  c.read(0, kBase, kLine);                       // way 0 becomes most recent; way 1 is now LRU
  c.read(0, kBase + kWays * set_stride, kLine);  // the (ways+1)-th line of the set
  EXPECT_EQ(c.state(0, kBase + set_stride), Mesi::Invalid);
  EXPECT_NE(c.state(0, kBase), Mesi::Invalid);
  for (std::uint32_t i = 2; i <= kWays; ++i) EXPECT_NE(c.state(0, kBase + i * set_stride), Mesi::Invalid) << i;
}

TEST(CacheCoherence, UnalignedAccessTouchesEveryLineItOverlaps) {
  CoherentCaches c(small(1), 1);
  EXPECT_EQ(c.read(0, kBase + kLine - 1, 2).lines, 2u);
  EXPECT_EQ(c.read(0, kBase, 0).lines, 0u);
}

TEST(CacheCoherence, RejectsABadCpu) {
  CoherentCaches c(small(1), 2);
  EXPECT_THROW(c.read(2, kBase, kLine), std::out_of_range);
  EXPECT_THROW(c.write(-1, kBase, kLine), std::out_of_range);
}

}  // namespace
}  // namespace iscsim::models
