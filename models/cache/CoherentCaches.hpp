#pragma once
// Per-CPU set-associative L2 caches kept coherent by MESI over one shared front-side bus, with
// device DMA that snoops them: the mechanism behind the cost model's L2 misses, cache-to-cache
// transfers and the snoops that clear a CPU's pipeline.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <vector>

#include "models/common/ParamSet.hpp"

namespace iscsim::models {

using Addr = std::uint64_t;

struct CacheGeometry {
  std::uint32_t size_bytes = 0;
  std::uint32_t ways = 0;
  std::uint32_t line_bytes = 0;
  std::uint32_t sector_lines = 1;  // lines a read miss fills together (NetBurst L2: 2 = 128 B sector)
  bool ownership_reads_fill_sector = false;  // a store's miss (a read for ownership) fills them too
  std::uint32_t sets() const { return size_bytes / (ways * line_bytes); }
  // Reads size_bytes, ways, line_bytes, sector_lines, ownership_reads_fill_sector from a
  // models/params/cache/*.json file.
  static CacheGeometry from(const ParamSet& p);
};

enum class Mesi : std::uint8_t { Invalid, Shared, Exclusive, Modified };

// Allocates on host cache-line boundaries, so a cache set's words never straddle two lines.
template <typename T>
struct LineAlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};  // x86-64 cache line
  LineAlignedAllocator() = default;
  template <typename U>
  LineAlignedAllocator(const LineAlignedAllocator<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const LineAlignedAllocator<U>&) const { return true; }
  template <typename U>
  bool operator!=(const LineAlignedAllocator<U>&) const { return false; }
};

// What one access did, in lines. A demand miss is served by memory or, when another cache holds
// the line Modified, by that cache (HITM, a cache-to-cache transfer).
struct AccessCounts {
  std::uint64_t lines = 0;        // lines the access touched
  std::uint64_t misses = 0;       // demand misses: line not valid here (= from_memory + from_peer)
  std::uint64_t from_memory = 0;
  std::uint64_t from_peer = 0;
  std::uint64_t upgrades = 0;     // writes that found the line Shared and invalidated other copies
  std::uint64_t prefetched = 0;   // sector companions filled with a demand miss (not misses)
  std::uint64_t claimed = 0;      // lines taken whole for writing without a read (not misses)
  std::uint64_t writebacks = 0;   // Modified lines written to memory (evictions, snoops by DMA)
  std::uint64_t bus_bytes = 0;    // bytes this access moved on the bus: fills, writebacks
  AccessCounts& operator+=(const AccessCounts& o) {
    lines += o.lines;
    misses += o.misses;
    from_memory += o.from_memory;
    from_peer += o.from_peer;
    upgrades += o.upgrades;
    prefetched += o.prefetched;
    claimed += o.claimed;
    writebacks += o.writebacks;
    bus_bytes += o.bus_bytes;
    return *this;
  }
};

class CoherentCaches {
 public:
  // Told, once per access, of every other CPU whose valid lines that access invalidated: the
  // events that can clear that CPU's pipeline (memory ordering) and make it load them again. A
  // read that finds a line Modified elsewhere (HITM) leaves the owner a current Shared copy, so
  // it is not told (until 6 December 2026, late night, it was).
  using SnoopListener = std::function<void(int victim_cpu, std::uint64_t lines)>;

  // `stamp_bits` is the width of the LRU stamps: past it they are renumbered, which changes no
  // outcome; tests pass a small width to exercise that.
  static constexpr unsigned kStampBits = 31;
  CoherentCaches(const CacheGeometry& geometry, int cpus, unsigned stamp_bits = kStampBits);

  void set_snoop_listener(SnoopListener listener) { listener_ = std::move(listener); }

  // CPU accesses of [addr, addr + bytes): write-allocate, LRU replacement within a set. Addresses
  // lie below max_address() (std::out_of_range otherwise).
  AccessCounts read(int cpu, Addr addr, std::uint64_t bytes);
  AccessCounts write(int cpu, Addr addr, std::uint64_t bytes);
  // write() as a fast-string store (rep movs) makes it: each line the span covers whole, when
  // not here, is claimed by a bus invalidation and written without being read (a Modified copy
  // elsewhere is written back first); a line it covers in part is read for ownership.
  AccessCounts write_whole_lines(int cpu, Addr addr, std::uint64_t bytes);
  // read() of a region read again and again (a path's code): `hints` holds, per line of the
  // region, the way that line was in last time (any value below ways at first). Each hint is
  // checked first, then the set searched as read() does; effects and counts are read()'s.
  AccessCounts read_hinted(int cpu, Addr addr, std::uint64_t bytes, std::uint8_t* hints);
  // A device writes memory: every cached copy of those lines is invalidated (listener told per CPU).
  AccessCounts dma_write(Addr addr, std::uint64_t bytes);
  // A device reads memory: Modified copies are written back and stay valid as Shared.
  AccessCounts dma_read(Addr addr, std::uint64_t bytes);

  Mesi state(int cpu, Addr addr) const;
  int cpus() const { return cpus_; }
  // One past the highest address the tags can tell apart: 2^46 B with the shipped geometry,
  // far beyond the 36-bit physical addresses of the era's Xeons.
  std::uint64_t max_address() const { return max_address_; }
  const CacheGeometry& geometry() const { return geometry_; }
  // log2(line_bytes): line numbers by shifting, not dividing, on hot paths.
  unsigned line_shift() const { return line_shift_; }

 private:
  // Each cache set is `ways` 32-bit keys then `ways` 32-bit LRU stamps, one host cache line for
  // the shipped 8 ways, so a lookup and its LRU update touch one line and compare all ways at
  // once. The CPUs' copies of one set lie side by side, so a snoop of the others' copies reads
  // the host lines next to the requester's. A key is the line's tag (line number >> set bits)
  // << 2 | its MESI state, kInvalidKey when Invalid; a stamp is (LRU clock << way_bits_ | way),
  // the way alone when Invalid, so the smallest stamp of a set is its lowest invalid way or else
  // its least recently used one.
  using Word = std::uint32_t;
  static constexpr std::uint32_t kAnyWays = 0;  // template argument: ways read from the geometry
  static constexpr int kDevice = -1;  // the requester of a DMA: no CPU, so every CPU is snooped

  template <std::uint32_t W>
  std::uint32_t ways() const { return W == kAnyWays ? geometry_.ways : W; }
  template <std::uint32_t W>
  std::uint32_t way_bits() const { return W == kAnyWays ? way_bits_ : static_cast<std::uint32_t>(__builtin_ctz(W)); }
  // A line's set, as the offset of its first CPU's copy, and its key in state Invalid.
  std::size_t set_offset(std::uint64_t line) const { return (line & set_mask_) * row_stride_; }
  Word want_key(std::uint64_t line) const { return static_cast<Word>(line >> set_shift_) << kStateBits; }
  Word* cpu_words(int cpu) { return words_.data() + static_cast<std::size_t>(cpu) * set_stride_; }
  const Word* cpu_words(int cpu) const { return words_.data() + static_cast<std::size_t>(cpu) * set_stride_; }
  // The way of `set` whose key is `want` (state bits ignored), or -1.
  template <std::uint32_t W>
  int find(const Word* set, Word want) const;
  // Puts the line keyed `want` into `set` in `state`, evicting the set's LRU or lowest invalid way.
  // It and the two snoops below are forced inline into the miss paths: each runs once or more per
  // missed line, and a call's register saves cost about as much as their work.
  // `fetched`: the line's data comes over the bus (not for a line claimed whole).
  template <std::uint32_t W>
  [[gnu::always_inline]] inline void fill(Word* set, Word want, Mesi state, AccessCounts& counts, bool fetched = true);
  // With Hinted, `hints` holds per line the way to compare first, as read_hinted()'s; with Claim,
  // a write's miss claims the line whole (claim_miss) instead of reading it for ownership.
  template <std::uint32_t W, bool Write, bool Hinted, bool Claim = false>
  void access_lines(int cpu, std::uint64_t first, std::uint64_t last, std::uint8_t* hints, AccessCounts& counts);
  template <std::uint32_t W>
  void read_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts);
  template <std::uint32_t W>
  void write_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts);
  // A line not here written whole: a bus invalidation, no read (write_whole_lines()).
  template <std::uint32_t W>
  void claim_miss(int cpu, std::uint64_t line, Word* set, AccessCounts& counts);
  // After a miss `cpu` took from memory, the other lines of its sector not yet there.
  template <std::uint32_t W>
  void fill_sector(int cpu, std::uint64_t line, AccessCounts& counts);
  // Snoops the other caches for a read by `cpu` of the line at `offset` keyed `want`; returns
  // the state the reader gets.
  template <std::uint32_t W>
  [[gnu::always_inline]] inline Mesi snoop_read(int cpu, std::size_t offset, Word want, bool& hitm, AccessCounts& counts);
  // Invalidates every other copy of the line at `offset` keyed `want`; returns whether one of
  // them was Modified.
  template <std::uint32_t W>
  [[gnu::always_inline]] inline bool invalidate_others(int cpu, std::size_t offset, Word want);
  template <std::uint32_t W>
  void device_lines(std::uint64_t first, std::uint64_t last, bool write, AccessCounts& counts);
  static Mesi state_of(Word key) { return static_cast<Mesi>(key & kStateMask); }
  void set_state(Word* set, int way, Mesi state) { set[way] = (set[way] & ~kStateMask) | static_cast<Word>(state); }
  void touch(Word* set, std::uint32_t ways, int way);
  // Renumbers every set's stamps 1..ways in the same order once the clock would overflow them.
  void renumber_stamps();
  // Throws unless `cpu` (kDevice: none) and [addr, addr + bytes) are ones the caches model.
  void check_access(int cpu, Addr addr, std::uint64_t bytes) const {
    if ((cpu < kDevice || cpu >= cpus_) || addr > max_address_ || bytes > max_address_ - addr)
      refuse_access(cpu, addr, bytes);
  }
  [[noreturn]] void refuse_access(int cpu, Addr addr, std::uint64_t bytes) const;
  // Snoop counts are only read when an access snooped something.
  void lost_line(int cpu) {
    ++snooped_[static_cast<std::size_t>(cpu)];
    snooped_any_ = true;
  }
  void notify_victims();
  AccessCounts access(int cpu, Addr addr, std::uint64_t bytes, bool write, std::uint8_t* hints);
  // A device's DMA: a write invalidates every cached copy, a read writes Modified ones back.
  AccessCounts device_access(Addr addr, std::uint64_t bytes, bool write);

  static constexpr unsigned kStateBits = 2;
  static constexpr Word kStateMask = (Word{1} << kStateBits) - 1;
  static constexpr Word kInvalidKey = ~kStateMask;  // state Invalid; tag bits above every tag a line may have

  CacheGeometry geometry_;
  int cpus_ = 0;
  std::uint32_t line_shift_ = 0;  // log2(line_bytes)
  std::uint32_t set_shift_ = 0;   // log2(sets)
  std::uint64_t set_mask_ = 0;    // sets() - 1
  std::size_t sets_ = 0;
  std::size_t set_stride_ = 0;    // words per set of one CPU: 2 * ways
  std::size_t row_stride_ = 0;    // words per set of all CPUs: cpus * set_stride_
  std::uint32_t way_bits_ = 0;
  std::uint64_t stamp_limit_ = 0;  // clock values that still fit a stamp
  std::vector<Word, LineAlignedAllocator<Word>> words_;
  std::uint64_t max_address_ = 0;
  std::vector<std::uint64_t> snooped_;  // per CPU, lines lost during the current access
  bool snooped_any_ = false;
  SnoopListener listener_;
  std::uint64_t clock_ = 0;
};

}  // namespace iscsim::models
