#pragma once
// Per-CPU set-associative L2 caches kept coherent by MESI over one shared front-side bus, with
// device DMA that snoops them: the mechanism behind the cost model's L2 misses, cache-to-cache
// transfers and the snoops that clear a CPU's pipeline.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "models/common/ParamSet.hpp"

namespace iscsim::models {

using Addr = std::uint64_t;

struct CacheGeometry {
  std::uint32_t size_bytes = 0;
  std::uint32_t ways = 0;
  std::uint32_t line_bytes = 0;
  std::uint32_t sector_lines = 1;  // lines a read miss fills together (NetBurst L2: 2 = 128 B sector)
  std::uint32_t sets() const { return size_bytes / (ways * line_bytes); }
  // Reads size_bytes, ways, line_bytes, sector_lines from a models/params/cache/*.json file.
  static CacheGeometry from(const ParamSet& p);
};

enum class Mesi : std::uint8_t { Invalid, Shared, Exclusive, Modified };

// What one access did, in lines. A demand miss is served by memory or, when another cache holds
// the line Modified, by that cache (HITM, a cache-to-cache transfer).
struct AccessCounts {
  std::uint64_t lines = 0;        // lines the access touched
  std::uint64_t misses = 0;       // demand misses: line not valid here (= from_memory + from_peer)
  std::uint64_t from_memory = 0;
  std::uint64_t from_peer = 0;
  std::uint64_t upgrades = 0;     // writes that found the line Shared and invalidated other copies
  std::uint64_t prefetched = 0;   // sector companions filled with a demand miss (not misses)
  std::uint64_t writebacks = 0;   // Modified lines written to memory (evictions, snoops by DMA)
  std::uint64_t bus_bytes = 0;    // bytes this access moved on the bus: fills, writebacks
  AccessCounts& operator+=(const AccessCounts& o);
};

class CoherentCaches {
 public:
  // Told, once per access, of every other CPU whose valid lines that access invalidated or
  // snooped out of Modified: the events that can clear that CPU's pipeline (memory ordering).
  using SnoopListener = std::function<void(int victim_cpu, std::uint64_t lines)>;

  CoherentCaches(const CacheGeometry& geometry, int cpus);

  void set_snoop_listener(SnoopListener listener) { listener_ = std::move(listener); }

  // CPU accesses of [addr, addr + bytes): write-allocate, LRU replacement within a set.
  AccessCounts read(int cpu, Addr addr, std::uint64_t bytes);
  AccessCounts write(int cpu, Addr addr, std::uint64_t bytes);
  // A device writes memory: every cached copy of those lines is invalidated (listener told per CPU).
  AccessCounts dma_write(Addr addr, std::uint64_t bytes);
  // A device reads memory: Modified copies are written back and stay valid as Shared.
  AccessCounts dma_read(Addr addr, std::uint64_t bytes);

  Mesi state(int cpu, Addr addr) const;
  int cpus() const { return cpus_; }
  const CacheGeometry& geometry() const { return geometry_; }

 private:
  // The ways of all caches live in three flat arrays (structure of arrays, so a set's tags share
  // one host cache line); a slot is cpu * slots_per_cpu_ + set * ways + way.
  using Slot = std::size_t;
  static constexpr Slot kNoSlot = static_cast<Slot>(-1);
  static constexpr std::uint64_t kNoLine = ~std::uint64_t{0};  // tag of an Invalid way: no line has it

  Slot find(int cpu, std::uint64_t line) const;
  Slot victim(int cpu, std::uint64_t line, AccessCounts& counts);
  void fill(int cpu, std::uint64_t line, Mesi state, AccessCounts& counts);
  AccessCounts access(int cpu, Addr addr, std::uint64_t bytes, bool write);
  void read_line(int cpu, std::uint64_t line, AccessCounts& counts);
  void write_line(int cpu, std::uint64_t line, AccessCounts& counts);
  // Snoops the other caches for a read of `line` by `cpu`; returns the state the reader gets.
  Mesi snoop_read(int cpu, std::uint64_t line, bool& hitm, AccessCounts& counts);
  // Invalidates every other copy of `line`; returns whether one of them was Modified.
  bool invalidate_others(int cpu, std::uint64_t line);
  void invalidate(Slot s) {
    tags_[s] = kNoLine;
    used_[s] = 0;
    states_[s] = Mesi::Invalid;
  }
  void check_cpu(int cpu) const;
  void notify_victims();
  // A device's DMA: a write invalidates every cached copy, a read writes Modified ones back.
  AccessCounts device_access(Addr addr, std::uint64_t bytes, bool write);

  CacheGeometry geometry_;
  int cpus_ = 0;
  std::uint32_t line_shift_ = 0;  // log2(line_bytes)
  std::uint64_t set_mask_ = 0;    // sets() - 1
  std::size_t slots_per_cpu_ = 0;
  std::vector<std::uint64_t> tags_;  // line number (addr >> line_shift_), kNoLine when Invalid
  std::vector<std::uint64_t> used_;  // LRU stamp; 0 exactly when Invalid, so victim() needs no state test
  std::vector<Mesi> states_;
  std::vector<std::uint64_t> snooped_;  // per CPU, lines lost during the current access
  SnoopListener listener_;
  std::uint64_t clock_ = 0;
};

}  // namespace iscsim::models
