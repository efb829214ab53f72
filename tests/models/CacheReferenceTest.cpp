// CoherentCaches against a reference: the model written the plain way (per CPU and set, a list
// of ways with line, state and last use, scanned one by one) must agree with the fast one on
// every count, every snoop told to the listener and every line's state, over long random mixes
// of CPU reads and writes and DMA, in the shipped 8-way layout and another, with the LRU stamps
// renumbered often and never, with accesses that run around every set more than once, and with
// hinted re-reads of fixed regions.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "models/cache/CoherentCaches.hpp"

namespace iscsim::models {
namespace {

class ReferenceCaches {
 public:
  ReferenceCaches(const CacheGeometry& g, int cpus)
      : g_(g), cpus_(cpus), ways_(static_cast<std::size_t>(cpus) * g.sets(), std::vector<Way>(g.ways)) {}

  std::vector<std::pair<int, std::uint64_t>> told;  // listener calls of the last access

  AccessCounts cpu_access(int cpu, Addr addr, std::uint64_t bytes, bool write) {
    return lines(addr, bytes, [&](std::uint64_t line, AccessCounts& c) {
      write ? write_line(cpu, line, c) : read_line(cpu, line, c);
    });
  }
  AccessCounts dma(Addr addr, std::uint64_t bytes, bool write) {
    AccessCounts c = lines(addr, bytes, [&](std::uint64_t line, AccessCounts& counts) {
      for (int p = 0; p < cpus_; ++p) {
        Way* w = find(p, line);
        if (w == nullptr) continue;
        if (write) {
          *w = Way{};
          ++lost_[p];
        } else if (w->state == Mesi::Modified) {
          ++counts.writebacks;
          counts.bus_bytes += g_.line_bytes;
          w->state = Mesi::Shared;  // a read takes nothing from the owner: not told
        }
      }
    });
    c.bus_bytes += c.lines * g_.line_bytes;
    return c;
  }
  Mesi state(int cpu, Addr addr) {
    Way* w = find(cpu, addr / g_.line_bytes);
    return w == nullptr ? Mesi::Invalid : w->state;
  }

 private:
  struct Way {
    std::uint64_t line = 0;
    Mesi state = Mesi::Invalid;
    std::uint64_t used = 0;
  };

  template <typename PerLine>
  AccessCounts lines(Addr addr, std::uint64_t bytes, PerLine per_line) {
    AccessCounts c;
    told.clear();
    if (bytes == 0) return c;
    lost_.assign(static_cast<std::size_t>(cpus_), 0);
    const std::uint64_t first = addr / g_.line_bytes;
    const std::uint64_t last = (addr + bytes - 1) / g_.line_bytes;
    c.lines = last - first + 1;
    for (std::uint64_t line = first; line <= last; ++line) per_line(line, c);
    for (int p = 0; p < cpus_; ++p)
      if (lost_[p] != 0) told.emplace_back(p, lost_[p]);
    return c;
  }
  std::vector<Way>& set(int cpu, std::uint64_t line) {
    return ways_[static_cast<std::size_t>(cpu) * g_.sets() + line % g_.sets()];
  }
  Way* find(int cpu, std::uint64_t line) {
    for (Way& w : set(cpu, line))
      if (w.state != Mesi::Invalid && w.line == line) return &w;
    return nullptr;
  }
  // An invalid way first (the lowest), else the least recently used.
  void fill(int cpu, std::uint64_t line, Mesi state, AccessCounts& c) {
    Way* victim = nullptr;
    for (Way& w : set(cpu, line)) {
      if (w.state == Mesi::Invalid) {
        victim = &w;
        break;
      }
      if (victim == nullptr || w.used < victim->used) victim = &w;
    }
    if (victim->state == Mesi::Modified) {
      ++c.writebacks;
      c.bus_bytes += g_.line_bytes;
    }
    *victim = Way{line, state, ++clock_};
    c.bus_bytes += g_.line_bytes;
  }
  Mesi snoop_read(int cpu, std::uint64_t line, bool& hitm, AccessCounts& c) {
    bool shared = false;
    hitm = false;
    for (int p = 0; p < cpus_; ++p) {
      Way* w = p == cpu ? nullptr : find(p, line);
      if (w == nullptr) continue;
      shared = true;
      if (w->state == Mesi::Modified) {
        hitm = true;
        ++c.writebacks;
        c.bus_bytes += g_.line_bytes;
      }
      w->state = Mesi::Shared;
    }
    return shared ? Mesi::Shared : Mesi::Exclusive;
  }
  bool invalidate_others(int cpu, std::uint64_t line) {
    bool modified = false;
    for (int p = 0; p < cpus_; ++p) {
      Way* w = p == cpu ? nullptr : find(p, line);
      if (w == nullptr) continue;
      modified |= w->state == Mesi::Modified;
      *w = Way{};
      ++lost_[p];
    }
    return modified;
  }
  void read_line(int cpu, std::uint64_t line, AccessCounts& c) {
    if (Way* w = find(cpu, line)) {
      w->used = ++clock_;
      return;
    }
    ++c.misses;
    bool hitm = false;
    fill(cpu, line, snoop_read(cpu, line, hitm, c), c);
    if (hitm) {
      ++c.from_peer;
      return;
    }
    ++c.from_memory;
    fill_companions(cpu, line, c);
  }
  void write_line(int cpu, std::uint64_t line, AccessCounts& c) {
    if (Way* w = find(cpu, line)) {
      if (w->state == Mesi::Shared) {
        invalidate_others(cpu, line);
        ++c.upgrades;
      }
      w->state = Mesi::Modified;
      w->used = ++clock_;
      return;
    }
    ++c.misses;
    const bool hitm = invalidate_others(cpu, line);
    fill(cpu, line, Mesi::Modified, c);
    if (hitm) {
      ++c.from_peer;
      return;
    }
    ++c.from_memory;
    if (g_.ownership_reads_fill_sector) fill_companions(cpu, line, c);
  }
  void fill_companions(int cpu, std::uint64_t line, AccessCounts& c) {
    const std::uint64_t first = line / g_.sector_lines * g_.sector_lines;
    for (std::uint64_t other = first; other < first + g_.sector_lines; ++other) {
      if (other == line || find(cpu, other) != nullptr) continue;
      bool ignored = false;
      fill(cpu, other, snoop_read(cpu, other, ignored, c), c);
      ++c.prefetched;
    }
  }

  CacheGeometry g_;
  int cpus_;
  std::vector<std::vector<Way>> ways_;
  std::vector<std::uint64_t> lost_;
  std::uint64_t clock_ = 0;
};

void expect_same(const AccessCounts& a, const AccessCounts& b, int op) {
  EXPECT_EQ(a.lines, b.lines) << "op " << op;
  EXPECT_EQ(a.misses, b.misses) << "op " << op;
  EXPECT_EQ(a.from_memory, b.from_memory) << "op " << op;
  EXPECT_EQ(a.from_peer, b.from_peer) << "op " << op;
  EXPECT_EQ(a.upgrades, b.upgrades) << "op " << op;
  EXPECT_EQ(a.prefetched, b.prefetched) << "op " << op;
  EXPECT_EQ(a.writebacks, b.writebacks) << "op " << op;
  EXPECT_EQ(a.bus_bytes, b.bus_bytes) << "op " << op;
}

struct Mix {
  const char* name;
  std::uint32_t ways;
  std::uint32_t sector_lines;
  bool ownership_reads_fill_sector;
  unsigned stamp_bits;
  std::uint64_t run_lines;  // bound on a long access, in lines: past the 16 sets, runs wrap around them
};

class CacheReference : public ::testing::TestWithParam<Mix> {};

TEST_P(CacheReference, RandomMixAgreesEverywhere) {
  const Mix& m = GetParam();
  constexpr int kCpus = 3;
  constexpr int kOps = 20000;
  constexpr std::uint32_t kLine = 64;
  constexpr Addr kBase = 1 << 20;
  CacheGeometry g;
  g.ways = m.ways;
  g.line_bytes = kLine;
  g.sector_lines = m.sector_lines;
  g.ownership_reads_fill_sector = m.ownership_reads_fill_sector;
  g.size_bytes = 16 * m.ways * kLine;  // 16 sets: every set sees conflicts
  const std::uint64_t span = 6 * g.size_bytes;
  CoherentCaches fast(g, kCpus, m.stamp_bits);
  ReferenceCaches ref(g, kCpus);
  std::vector<std::pair<int, std::uint64_t>> told;
  fast.set_snoop_listener([&told](int cpu, std::uint64_t lines) { told.emplace_back(cpu, lines); });
  // Regions read again and again with hints (as a path's code is), overlapping the others' lines;
  // hints start anywhere below the ways, and a wrong one must cost nothing but a search.
  constexpr int kRegions = 4;
  std::mt19937_64 rng(20260);
  std::vector<Addr> region_at;
  std::vector<std::uint64_t> region_bytes;
  for (int r = 0; r < kRegions; ++r) {
    region_at.push_back(kBase + rng() % span);
    region_bytes.push_back(1 + rng() % (m.run_lines * kLine));
  }
  std::vector<std::vector<std::uint8_t>> hints(kCpus * kRegions);
  for (auto& h : hints)
    for (std::uint64_t i = 0; i <= m.run_lines + 1; ++i) h.push_back(static_cast<std::uint8_t>(rng() % m.ways));
  for (int op = 0; op < kOps && !HasFailure(); ++op) {
    const int cpu = static_cast<int>(rng() % kCpus);
    const Addr addr = kBase + rng() % span;
    const std::uint64_t bytes = rng() % 3 == 0 ? rng() % (m.run_lines * kLine) : rng() % 24;
    told.clear();
    switch (rng() % 6) {
      case 0:
        expect_same(fast.read(cpu, addr, bytes), ref.cpu_access(cpu, addr, bytes, false), op);
        break;
      case 1: {
        const auto r = static_cast<std::size_t>(rng() % kRegions);
        std::uint8_t* h = hints[static_cast<std::size_t>(cpu) * kRegions + r].data();
        expect_same(fast.read_hinted(cpu, region_at[r], region_bytes[r], h),
                    ref.cpu_access(cpu, region_at[r], region_bytes[r], false), op);
        break;
      }
      case 2:
      case 3:
        expect_same(fast.write(cpu, addr, bytes), ref.cpu_access(cpu, addr, bytes, true), op);
        break;
      case 4:
        expect_same(fast.dma_write(addr, bytes), ref.dma(addr, bytes, true), op);
        break;
      default:
        expect_same(fast.dma_read(addr, bytes), ref.dma(addr, bytes, false), op);
    }
    EXPECT_EQ(told, ref.told) << "op " << op;
    for (int p = 0; p < kCpus; ++p) {
      const Addr probe = kBase + rng() % span;
      EXPECT_EQ(fast.state(p, probe), ref.state(p, probe)) << "op " << op << " cpu " << p;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, CacheReference,
                         ::testing::Values(Mix{"eight_ways", 8, 2, true, CoherentCaches::kStampBits, 4},
                                           Mix{"eight_ways_stamps_renumbered", 8, 2, true, 8, 4},
                                           Mix{"eight_ways_ownership_reads_one_line", 8, 2, false, 8, 4},
                                           Mix{"four_ways", 4, 1, true, CoherentCaches::kStampBits, 4},
                                           Mix{"four_ways_stamps_renumbered", 4, 4, true, 6, 4},
                                           Mix{"eight_ways_long_runs", 8, 2, true, 8, 48},
                                           Mix{"four_ways_long_runs", 4, 2, false, 6, 48}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CacheReference, AddressesBeyondTheTagsAreRefused) {
  CacheGeometry g;
  g.size_bytes = 512 * 1024;
  g.ways = 8;
  g.line_bytes = 64;
  g.sector_lines = 2;
  CoherentCaches c(g, 2);
  EXPECT_GE(c.max_address(), std::uint64_t{1} << 45);  // far beyond a 36-bit physical address
  EXPECT_NO_THROW(c.read(0, c.max_address() - 64, 64));
  EXPECT_THROW(c.read(0, c.max_address() - 64, 65), std::out_of_range);
  EXPECT_THROW(c.dma_write(c.max_address(), 1), std::out_of_range);
  EXPECT_THROW(CoherentCaches(g, 2, 4), std::invalid_argument);  // no room for the clock
}

}  // namespace
}  // namespace iscsim::models
