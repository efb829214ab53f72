#include "models/cache/CoherentCaches.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "models/cache/SetScan.hpp"
#include "models/common/Geometry.hpp"

namespace iscsim::models {

namespace {

// Bounds on parameter files: wide enough for any cache of the era, narrow enough to catch a value
// typed in the wrong unit (KB for B) and to keep the flat per-CPU arrays a sane size.
constexpr long long kMaxSizeBytes = 1LL << 30;
constexpr long long kMaxWays = 256;
constexpr long long kMinLineBytes = 4;
constexpr long long kMaxSectorLines = 64;
// The associativity with its own compiled set scans: the Xeon L2 of the shipped parameters
// (models/params/cache/xeon-prestonia-l2.json). Other geometries run the same code, looping.
constexpr std::uint32_t kShippedWays = 8;

// Why `g` cannot be simulated, or empty when it can: the lookup uses shifts and masks, so lines,
// sets and sectors must be powers of two, and a sector's lines must fall into distinct sets so a
// sector fill never evicts its own demand line.
std::string geometry_problem(const CacheGeometry& g) {
  if (g.ways == 0 || g.line_bytes == 0 || g.size_bytes == 0) return "size_bytes, ways and line_bytes must be positive";
  if (!power_of_two(g.line_bytes)) return "line_bytes " + std::to_string(g.line_bytes) + " is not a power of two";
  const std::uint64_t way_bytes = std::uint64_t{g.ways} * g.line_bytes;
  if (g.size_bytes % way_bytes != 0)
    return "size_bytes " + std::to_string(g.size_bytes) + " is not a whole number of sets of ways * line_bytes = " +
           std::to_string(way_bytes) + " B";
  if (!power_of_two(g.sets()))
    return "size_bytes / (ways * line_bytes) = " + std::to_string(g.sets()) + " sets, which is not a power of two";
  if (!power_of_two(g.sector_lines)) return "sector_lines " + std::to_string(g.sector_lines) + " is not a power of two";
  if (g.sector_lines > g.sets())
    return "sector_lines " + std::to_string(g.sector_lines) + " exceeds the " + std::to_string(g.sets()) + " sets";
  return {};
}

// The smallest shift with 1 << shift >= n.
std::uint32_t log2_of(std::uint64_t n) {
  std::uint32_t shift = 0;
  while ((std::uint64_t{1} << shift) < n) ++shift;
  return shift;
}

}  // namespace

CacheGeometry CacheGeometry::from(const ParamSet& p) {
  CacheGeometry g;
  g.size_bytes = static_cast<std::uint32_t>(p.integer("size_bytes", 1, kMaxSizeBytes));
  g.ways = static_cast<std::uint32_t>(p.integer("ways", 1, kMaxWays));
  g.line_bytes = static_cast<std::uint32_t>(p.integer("line_bytes", kMinLineBytes, kMaxLineBytes));
  g.sector_lines = static_cast<std::uint32_t>(p.integer("sector_lines", 1, kMaxSectorLines));
  g.ownership_reads_fill_sector = p.integer("ownership_reads_fill_sector", 0, 1) != 0;
  const std::string problem = geometry_problem(g);
  if (!problem.empty()) throw ParamError(p.origin() + ": cache geometry: " + problem);
  return g;
}

CoherentCaches::CoherentCaches(const CacheGeometry& geometry, int cpus, unsigned stamp_bits)
    : geometry_(geometry), cpus_(cpus) {
  const std::string problem = geometry_problem(geometry);
  if (!problem.empty()) throw std::invalid_argument("CoherentCaches: " + problem);
  if (cpus < 1) throw std::invalid_argument("CoherentCaches: need at least one CPU, got " + std::to_string(cpus));
  // Stamps are compared as signed 32-bit lanes (SSE2 has no unsigned compare): below 2^31; and
  // the clock part must count past `ways` (a renumbered set's stamps) with room to spare.
  way_bits_ = log2_of(geometry.ways);
  if (stamp_bits > kStampBits || stamp_bits < 2 * way_bits_ + 2)
    throw std::invalid_argument("CoherentCaches: stamp_bits " + std::to_string(stamp_bits) + " out of range [" +
                                std::to_string(2 * way_bits_ + 2) + ", " + std::to_string(kStampBits) + "]");
  line_shift_ = log2_of(geometry.line_bytes);
  set_shift_ = log2_of(geometry.sets());
  set_mask_ = geometry.sets() - 1;
  sets_ = geometry.sets();
  set_stride_ = 2 * std::size_t{geometry.ways};
  row_stride_ = set_stride_ * static_cast<std::size_t>(cpus);
  stamp_limit_ = std::uint64_t{1} << (stamp_bits - way_bits_);
  words_.resize(set_stride_ * sets_ * static_cast<std::size_t>(cpus));
  for (std::size_t set = 0; set < sets_ * static_cast<std::size_t>(cpus); ++set) {
    Word* words = words_.data() + set * set_stride_;
    for (std::uint32_t w = 0; w < geometry.ways; ++w) {
      words[w] = kInvalidKey;
      words[geometry.ways + w] = w;
    }
  }
  snooped_.assign(static_cast<std::size_t>(cpus), 0);
  // A tag must stay below the tag bits of kInvalidKey.
  max_address_ = (std::uint64_t{kInvalidKey} >> kStateBits) << (set_shift_ + line_shift_);
}

void CoherentCaches::refuse_access(int cpu, Addr addr, std::uint64_t bytes) const {
  if (cpu < kDevice || cpu >= cpus_)
    throw std::out_of_range("CoherentCaches: cpu " + std::to_string(cpu) + " out of range [0, " +
                            std::to_string(cpus_) + ")");
  throw std::out_of_range("CoherentCaches: " + std::to_string(bytes) + " bytes at address " + std::to_string(addr) +
                          " reach beyond the " + std::to_string(max_address_) + " bytes the caches model");
}

template <std::uint32_t W>
int CoherentCaches::find(const Word* set, Word want) const {
  if constexpr (W == kShippedWays) {
    const unsigned hits = match8(set, want, ~kStateMask);
    return hits == 0 ? -1 : __builtin_ctz(hits);
  } else {
    for (std::uint32_t w = 0; w < ways<W>(); ++w)
      if ((set[w] & ~kStateMask) == want) return static_cast<int>(w);
    return -1;
  }
}

void CoherentCaches::touch(Word* set, std::uint32_t ways, int way) {
  if (clock_ + 1 >= stamp_limit_) renumber_stamps();
  set[ways + static_cast<std::uint32_t>(way)] = static_cast<Word>(++clock_ << way_bits_) | static_cast<Word>(way);
}

void CoherentCaches::renumber_stamps() {
  const std::uint32_t n = geometry_.ways;
  const Word way_mask = (Word{1} << way_bits_) - 1;
  std::vector<Word> order;
  for (std::size_t set = 0; set < sets_ * static_cast<std::size_t>(cpus_); ++set) {
    Word* stamps = words_.data() + set * set_stride_ + n;
    order.clear();
    for (std::uint32_t w = 0; w < n; ++w)
      if ((stamps[w] >> way_bits_) != 0) order.push_back(stamps[w]);
    std::sort(order.begin(), order.end());
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
      const Word way = order[rank] & way_mask;
      stamps[way] = static_cast<Word>((rank + 1) << way_bits_) | way;
    }
  }
  clock_ = n;  // every stamp now ranks at most `ways`: newer ones come after
}

template <std::uint32_t W>
void CoherentCaches::fill(Word* set, Word want, Mesi state, AccessCounts& counts, bool fetched) {
  const Word* stamps = set + ways<W>();
  Word oldest = 0;
  if constexpr (W == kShippedWays) {
    oldest = min8(stamps);
  } else {
    oldest = stamps[0];
    for (std::uint32_t w = 1; w < ways<W>(); ++w) oldest = std::min(oldest, stamps[w]);
  }
  const int way = static_cast<int>(oldest & ((Word{1} << way_bits<W>()) - 1));
  if (state_of(set[way]) == Mesi::Modified) {
    ++counts.writebacks;
    counts.bus_bytes += geometry_.line_bytes;
  }
  set[way] = want | static_cast<Word>(state);
  touch(set, ways<W>(), way);
  if (fetched) counts.bus_bytes += geometry_.line_bytes;
}

template <std::uint32_t W>
Mesi CoherentCaches::snoop_read(int cpu, std::size_t offset, Word want, bool& hitm, AccessCounts& counts) {
  bool other_valid = false;
  hitm = false;
  Word* set = words_.data() + offset;
  for (int p = 0; p < cpus_; ++p, set += set_stride_) {
    if (p == cpu) continue;
    const int w = find<W>(set, want);
    if (w < 0) continue;
    other_valid = true;
    if (state_of(set[w]) == Mesi::Modified) {
      // HITM: the owner supplies the line and writes it back, keeping a clean copy. A read takes
      // nothing from it: the value its loads hold stays current (no memory-ordering clear, no
      // reload).
      hitm = true;
      ++counts.writebacks;
      counts.bus_bytes += geometry_.line_bytes;
    }
    set_state(set, w, Mesi::Shared);  // a second reader ends exclusivity (E -> S is silent: no snoop count)
  }
  return other_valid ? Mesi::Shared : Mesi::Exclusive;
}

template <std::uint32_t W>
bool CoherentCaches::invalidate_others(int cpu, std::size_t offset, Word want) {
  bool had_modified = false;
  Word* set = words_.data() + offset;
  for (int p = 0; p < cpus_; ++p, set += set_stride_) {
    if (p == cpu) continue;
    const int w = find<W>(set, want);
    if (w < 0) continue;
    had_modified |= state_of(set[w]) == Mesi::Modified;
    set[w] = kInvalidKey;
    set[ways<W>() + static_cast<std::uint32_t>(w)] = static_cast<Word>(w);
    lost_line(p);
  }
  return had_modified;
}

template <std::uint32_t W>
void CoherentCaches::read_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts) {
  ++counts.misses;
  bool hitm = false;
  const Word want = want_key(line);
  const Mesi got = snoop_read<W>(cpu, set_offset(line), want, hitm, counts);
  fill<W>(set, want, got, counts);
  if (hitm) {
    ++counts.from_peer;
    return;
  }
  ++counts.from_memory;
  fill_sector<W>(cpu, line, counts);
}

template <std::uint32_t W>
void CoherentCaches::write_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts) {
  // Read for ownership: one bus read fetches the line and invalidates every other copy.
  ++counts.misses;
  const Word want = want_key(line);
  const bool hitm = invalidate_others<W>(cpu, set_offset(line), want);
  fill<W>(set, want, Mesi::Modified, counts);
  if (hitm) {
    ++counts.from_peer;
    return;
  }
  ++counts.from_memory;
  if (geometry_.ownership_reads_fill_sector) fill_sector<W>(cpu, line, counts);
}

template <std::uint32_t W>
void CoherentCaches::claim_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts) {
  // An owner of a Modified copy writes it back (HITM) before the invalidation completes.
  const Word want = want_key(line);
  if (invalidate_others<W>(cpu, set_offset(line), want)) {
    ++counts.writebacks;
    counts.bus_bytes += geometry_.line_bytes;
  }
  fill<W>(set, want, Mesi::Modified, counts, false);
  ++counts.claimed;
}

template <std::uint32_t W>
void CoherentCaches::fill_sector(int cpu, std::uint64_t line, AccessCounts& counts) {
  // A bus read from memory, for a load or for ownership, fetches the whole sector (NetBurst L2:
  // both 64 B halves of 128 B); the half not asked for comes as data, not owned.
  const std::uint64_t sector_first = line & ~(std::uint64_t{geometry_.sector_lines} - 1);
  for (std::uint64_t companion = sector_first; companion < sector_first + geometry_.sector_lines; ++companion) {
    if (companion == line) continue;
    const std::size_t offset = set_offset(companion);
    const Word companion_want = want_key(companion);
    Word* companion_set = cpu_words(cpu) + offset;
    if (find<W>(companion_set, companion_want) >= 0) continue;
    bool companion_hitm = false;
    const Mesi companion_state = snoop_read<W>(cpu, offset, companion_want, companion_hitm, counts);
    fill<W>(companion_set, companion_want, companion_state, counts);
    ++counts.prefetched;
  }
}

template <std::uint32_t W, bool Write, bool Hinted, bool Claim>
void CoherentCaches::access_lines(int cpu, std::uint64_t first, std::uint64_t last, std::uint8_t* hints,
                                  AccessCounts& counts) {
  // Hits, most lines of most accesses, stay in this loop on local copies of the geometry and the
  // LRU clock; misses and upgrades go out of line. The set advances with the line, and the key
  // grows by one tag each time the sets wrap around, instead of both being derived again. A
  // hinted way is compared first: a line is in at most one way of its set, so a match there is
  // the hit the search would find.
  Word* const mine = cpu_words(cpu);
  const std::size_t stride = row_stride_;
  const std::size_t wrap = sets_ * stride;
  const std::uint32_t way_bits = this->way_bits<W>();
  const std::uint64_t stamp_limit = stamp_limit_;
  const Word tag_step = Word{1} << kStateBits;
  std::size_t offset = set_offset(first);
  Word want = want_key(first);
  std::uint64_t clock = clock_;
  for (std::uint64_t line = first; line <= last; ++line) {
    Word* set = mine + offset;
    int w = 0;
    if constexpr (Hinted) {
      w = *hints;
      if ((set[w] & ~kStateMask) != want) {
        w = find<W>(set, want);
        if (w >= 0) *hints = static_cast<std::uint8_t>(w);
      }
    } else {
      w = find<W>(set, want);
    }
    if (w < 0 || (Write && state_of(set[w]) == Mesi::Shared)) {
      clock_ = clock;
      if (w < 0) {
        if constexpr (Claim)
          claim_miss<W>(cpu, line, set, counts);
        else
          Write ? write_miss<W>(cpu, line, set, counts) : read_miss<W>(cpu, line, set, counts);
        if constexpr (Hinted) *hints = static_cast<std::uint8_t>(find<W>(set, want));
      } else {
        invalidate_others<W>(cpu, offset, want);
        ++counts.upgrades;
        set_state(set, w, Mesi::Modified);
        touch(set, ways<W>(), w);
      }
      clock = clock_;
    } else {
      if constexpr (Write) set_state(set, w, Mesi::Modified);
      if (clock + 1 >= stamp_limit) {
        clock_ = clock;
        renumber_stamps();
        clock = clock_;
      }
      set[ways<W>() + static_cast<std::uint32_t>(w)] = static_cast<Word>(++clock << way_bits) | static_cast<Word>(w);
    }
    offset += stride;
    if (offset == wrap) {
      offset = 0;
      want += tag_step;
    }
    if constexpr (Hinted) ++hints;
  }
  clock_ = clock;
}

AccessCounts CoherentCaches::access(int cpu, Addr addr, std::uint64_t bytes, bool write, std::uint8_t* hints) {
  check_access(cpu == kDevice ? cpus_ : cpu, addr, bytes);  // a CPU access never passes as the device's
  AccessCounts counts;
  if (bytes == 0) return counts;
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + bytes - 1) >> line_shift_;
  counts.lines = last - first + 1;
  if (geometry_.ways == kShippedWays) {
    write   ? access_lines<kShippedWays, true, false>(cpu, first, last, nullptr, counts)
    : hints ? access_lines<kShippedWays, false, true>(cpu, first, last, hints, counts)
            : access_lines<kShippedWays, false, false>(cpu, first, last, nullptr, counts);
  } else {
    write   ? access_lines<kAnyWays, true, false>(cpu, first, last, nullptr, counts)
    : hints ? access_lines<kAnyWays, false, true>(cpu, first, last, hints, counts)
            : access_lines<kAnyWays, false, false>(cpu, first, last, nullptr, counts);
  }
  notify_victims();
  return counts;
}

AccessCounts CoherentCaches::read(int cpu, Addr addr, std::uint64_t bytes) { return access(cpu, addr, bytes, false, nullptr); }

AccessCounts CoherentCaches::read_hinted(int cpu, Addr addr, std::uint64_t bytes, std::uint8_t* hints) {
  return access(cpu, addr, bytes, false, hints);
}

AccessCounts CoherentCaches::write(int cpu, Addr addr, std::uint64_t bytes) { return access(cpu, addr, bytes, true, nullptr); }

AccessCounts CoherentCaches::write_whole_lines(int cpu, Addr addr, std::uint64_t bytes) {
  check_access(cpu == kDevice ? cpus_ : cpu, addr, bytes);  // a CPU access never passes as the device's
  AccessCounts counts;
  if (bytes == 0) return counts;
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + bytes - 1) >> line_shift_;
  // The lines covered whole: [whole_first, whole_end).
  const std::uint64_t whole_first = (addr + geometry_.line_bytes - 1) >> line_shift_;
  const std::uint64_t whole_end = (addr + bytes) >> line_shift_;
  counts.lines = last - first + 1;
  const auto write_lines = [&](auto ways) {
    constexpr std::uint32_t W = decltype(ways)::value;
    if (whole_first >= whole_end) return access_lines<W, true, false>(cpu, first, last, nullptr, counts);
    if (first < whole_first) access_lines<W, true, false>(cpu, first, whole_first - 1, nullptr, counts);
    access_lines<W, true, false, true>(cpu, whole_first, whole_end - 1, nullptr, counts);
    if (whole_end <= last) access_lines<W, true, false>(cpu, whole_end, last, nullptr, counts);
  };
  geometry_.ways == kShippedWays ? write_lines(std::integral_constant<std::uint32_t, kShippedWays>{})
                                 : write_lines(std::integral_constant<std::uint32_t, kAnyWays>{});
  notify_victims();
  return counts;
}

AccessCounts CoherentCaches::dma_write(Addr addr, std::uint64_t bytes) { return device_access(addr, bytes, true); }

AccessCounts CoherentCaches::dma_read(Addr addr, std::uint64_t bytes) { return device_access(addr, bytes, false); }

template <std::uint32_t W>
void CoherentCaches::device_lines(std::uint64_t first, std::uint64_t last, bool write, AccessCounts& counts) {
  const std::size_t stride = row_stride_;
  std::size_t offset = set_offset(first);
  Word want = want_key(first);
  const std::size_t wrap = sets_ * stride;
  for (std::uint64_t line = first; line <= last; ++line) {
    if (write) {
      // The device overwrites the whole line, so a Modified copy is dropped, not written back.
      invalidate_others<W>(kDevice, offset, want);
    } else {
      Word* set = words_.data() + offset;
      for (int p = 0; p < cpus_; ++p, set += set_stride_) {
        const int w = find<W>(set, want);
        if (w < 0 || state_of(set[w]) != Mesi::Modified) continue;
        ++counts.writebacks;
        counts.bus_bytes += geometry_.line_bytes;
        set_state(set, w, Mesi::Shared);
      }
    }
    offset += stride;
    if (offset == wrap) {
      offset = 0;
      want += Word{1} << kStateBits;
    }
  }
}

AccessCounts CoherentCaches::device_access(Addr addr, std::uint64_t bytes, bool write) {
  check_access(kDevice, addr, bytes);
  AccessCounts counts;
  if (bytes == 0) return counts;
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + bytes - 1) >> line_shift_;
  counts.lines = last - first + 1;
  if (geometry_.ways == kShippedWays)
    device_lines<kShippedWays>(first, last, write, counts);
  else
    device_lines<kAnyWays>(first, last, write, counts);
  counts.bus_bytes += counts.lines * geometry_.line_bytes;
  notify_victims();
  return counts;
}

void CoherentCaches::notify_victims() {
  if (!snooped_any_) return;
  snooped_any_ = false;
  // The listener must not call back into this object: the counts of later CPUs are still pending.
  for (std::size_t p = 0; p < snooped_.size(); ++p) {
    const std::uint64_t lines = snooped_[p];
    snooped_[p] = 0;
    if (lines != 0 && listener_) listener_(static_cast<int>(p), lines);
  }
}

Mesi CoherentCaches::state(int cpu, Addr addr) const {
  check_access(cpu == kDevice ? cpus_ : cpu, addr, 1);
  const std::uint64_t line = addr >> line_shift_;
  const Word* set = cpu_words(cpu) + set_offset(line);
  const int w = find<kAnyWays>(set, want_key(line));
  return w < 0 ? Mesi::Invalid : state_of(set[w]);
}

}  // namespace iscsim::models
