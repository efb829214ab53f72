#pragma once
// The one entry point that charges software to a simulated CPU: a code path runs over the
// memory it touches and costs cycles = instructions x core CPI + memory stalls (L2 misses at the
// memory latency, fixed in nanoseconds, plus front-side-bus queueing) + machine clears. Clears
// come from events and go where a sampling profiler sees them, to the code running when they
// happen: an interrupt's to what it interrupts, a context switch's CR3 load to schedule(), a
// memory-ordering clear to the code whose in-flight loads the snooped line was under.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "models/bus/MemoryBus.hpp"
#include "models/cache/CoherentCaches.hpp"
#include "models/common/ParamSet.hpp"
#include "models/cpu/CodePath.hpp"
#include "models/cpu/CpuCounters.hpp"
#include "models/memory/AddressSpace.hpp"

namespace iscsim::models {

struct CpuParams {
  double memory_latency_ns = 0;       // load-to-use from DRAM, unloaded
  double peer_latency_ns = 0;         // a line Modified in the other CPU's cache (HITM)
  double misses_in_flight = 1;        // memory-level parallelism of a miss stream
  double clear_penalty_cycles = 0;    // pipeline flush and refill
  double snoop_clear_per_line = 0;    // memory-ordering clears per exposed line snooped away
  double loads_in_flight = 1;         // the out-of-order window's load buffer
  double window_uops = 1;             // the out-of-order window: how long a load stays unretired
  double idle_instr_per_cycle = 0;    // the idle loop's retired instructions per cycle
  double prefetch_after_misses = 0;   // hardware prefetcher: misses per page before it streams
  double prefetch_page_bytes = 0;     // it never crosses a page
  double prefetch_ahead_bytes = 0;    // how far ahead of a stream's demand it fetches
  double mmio_read_ns = 0;            // an uncached device-register read: a PCI round trip
  double mmio_write_ns = 0;           // an uncached (posted) device-register write, CPU side
  double int_iret_cycles = 0;         // a privilege transition and its iret, run in microcode
  double locked_op_cycles = 0;        // the pipeline drain of a lock-prefixed read-modify-write
  double fast_string_min_bytes = 0;   // a rep movs this long (and aligned) stores whole lines
  double fast_string_align_bytes = 1; // the destination alignment it needs
  bool claims_count_as_l2_misses = false;  // a claimed line's invalidation counts as an L2 miss
  bool outrun_prefetches_count_as_l2_misses = false;  // a path faster than memory's fills reaches its prefetches in flight
  bool locked_loads_at_retirement = true;  // a locked op's load waits for retirement: never in flight
  static CpuParams from(const ParamSet& p);
};

// Memory a path touches besides its own code: [addr, addr + bytes), read or written; `locked`
// when only lock-prefixed read-modify-writes touch it (atomic_sub, atomic_dec): NetBurst waits
// for every earlier access to complete before one and performs its load then, never
// speculatively, so a snoop cannot catch it in flight (no memory-ordering clear); `stores_only`
// when the path writes it without reading it (a descriptor filled, a copy's destination): the
// write fetches the line for ownership, but no load of it is in flight for a snoop to catch;
// `throughout` when the path reads these lines all along its code, not once (a connection's state
// in TCP's paths): a load of them is in flight for the whole path, not for one window.
struct Touch {
  Addr addr = 0;
  std::uint64_t bytes = 0;
  bool write = false;
  bool locked = false;
  bool stores_only = false;
  bool throughout = false;
};

// The touches of one call: a braced list at the call site, or an array a model filled in (the
// lines a mod_timer touches depend on the timer list's state). Valid for the call only.
class Touches {
 public:
  Touches() = default;
  // A braced list's array lives until the end of the call's full expression: as long as needed.
  Touches(std::initializer_list<Touch> list) : Touches(list.begin(), list.size()) {}
  Touches(const Touch* first, std::size_t count) : first_(first), count_(count) {}
  const Touch* begin() const { return first_; }
  const Touch* end() const { return first_ + count_; }
  std::size_t size() const { return count_; }

 private:
  const Touch* first_ = nullptr;
  std::size_t count_ = 0;
};

// [addr, addr + bytes) written and never read by the path (a copy's destination).
inline Touch stored(Addr addr, std::uint64_t bytes) { return {addr, bytes, true, false, true}; }

// [addr, addr + bytes) of an object that may not be modelled: address 0 touches nothing.
inline Touch modelled(Addr addr, std::uint64_t bytes, bool write) { return {addr, addr != 0 ? bytes : 0, write}; }

// A victim's piece whose path touches a snooped line only later than the snoop loads it then
// again: its miss, its stall and the snoop of the requester at that time (which may clear the
// requester, and make its own later path load the line again), taken when the clock reaches it.
struct Refetch {
  int cpu = 0;
  Addr lo = 0;
  std::uint64_t bytes = 0;
  Picos at = 0;
  PathId path = kNoPath;
  bool write = false;
};

// The data a CPU's current piece of work (one job between two scheduling points) touches, and
// when: while a path runs, its loads may be in flight on the lines it touches, so a snoop that
// takes one of them away then flushes that CPU's pipeline (a memory-ordering clear); a snoop
// that takes one before the path touching it has begun makes that path load it again.
struct Piece {
  struct Span {
    Addr lo = 0;
    Addr hi = 0;
    Picos from = 0;  // while the path that touches it runs
    Picos to = 0;
    PathId path = kNoPath;
    bool write = false;
    double instr = 0;  // the path's instructions over the span: how long a load stays in its window
    // A load of its lines can be in flight: not when the path only stores to them, nor when only
    // locked operations touch them and NetBurst performs their loads at retirement.
    bool loads = true;
    bool throughout = false;  // read all along the path: in flight for all of it
  };
  // Each path it ran, in order: what runs at a given moment of the piece.
  struct Part {
    Picos from = 0;
    Picos to = 0;
    PathId path = kNoPath;
  };
  std::vector<Span> spans;
  std::vector<Part> parts;
  Picos start = 0;
  double cycles = 0;  // charged so far: where the next path starts
  Picos until = 0;
  PathId returns_to = kNoPath;  // set aside: the path it returns to (kNoPath: the idle loop)
  // Set aside: its reloads not yet due, which come later by as long as it is preempted.
  std::vector<Refetch> refetches;
  // Empty, keeping the storage of its vectors.
  void clear() {
    spans.clear();
    parts.clear();
    refetches.clear();
    start = 0;
    cycles = 0;
    until = 0;
    returns_to = kNoPath;
  }
};

struct Cost {
  double cycles = 0;
  double instr = 0;
  double l2_misses = 0;
  double clears = 0;
  double stall_cycles = 0;  // of `cycles`: memory stalls
};

// What one path contributed, kept for calibration: per CPU, per path, in the window.
// Its cycles include its stalls and the penalties of the clears counted against it.
struct PathTally {
  double calls = 0;
  double bytes = 0;
  double instr = 0;
  double cycles = 0;
  double stall_cycles = 0;
  double l2_misses = 0;
  double cache_to_cache_lines = 0;
  double clears = 0;
};

class CpuCostModel {
 public:
  CpuCostModel(const CpuParams& params, const CodePathCatalog& catalog, CoherentCaches& caches, MemoryBus& fsb,
               AddressSpace& memory, int cpus, double hz);

  // Runs `calls` calls of `path` on `cpu` at `now` over `bytes` bytes of payload, touching
  // `touches` besides the path's code. Counts go to the path's bin when counting is on.
  Cost run(int cpu, PathId path, double calls, std::uint64_t bytes, Touches touches, Picos now);
  // `n` machine clears on `cpu` from an event of `cause`: counted with their penalty against the
  // path running (an interrupt's: what it interrupts), or against `path` (kNoPath: the idle
  // loop); returns the penalty in cycles (0 when idle), which the caller adds to what runs next.
  double clear_running(int cpu, double n, Picos now, ClearCause cause) {
    return clear(cpu, n, path_at(cpu, now), cause);
  }
  // A profiler's sampling NMI, which queues no work of its own: its clear is counted against what
  // runs at `now`, its penalty paid by what `cpu` runs next, as a snoop's is.
  void flush_running(int cpu, Picos now) {
    pending_cycles_[cpu] += clear_running(cpu, 1, now, ClearCause::ProfilerNmi);
  }
  double clear(int cpu, double n, PathId path, ClearCause cause);
  // A device writes [addr, addr + bytes) (DMA): every cached copy is invalidated, and a CPU whose
  // current piece has loads in flight on those lines takes memory-ordering clears.
  void device_write(Addr addr, std::uint64_t bytes, Picos now);

  // Pieces: `cpu` starts one now (what it touches from here on may be in flight), it ends at
  // `until`; a preempted piece is set aside and resumes later with a new end.
  void begin_piece(int cpu, Picos now);
  void end_piece(int cpu, Picos until) { pieces_[cpu].until = until; }
  Piece suspend_piece(int cpu, Picos now);
  // The path `cpu` runs at `at` within its current piece (the last one's otherwise; kNoPath
  // when it idles).
  PathId path_at(int cpu, Picos at) const;
  void resume_piece(int cpu, Piece piece, Picos until);

  // `cpu` waits in its idle loop: clears from now on go to the idle bin.
  void set_idle(int cpu) { running_[cpu] = kNoPath; }
  PathId running(int cpu) const { return running_[cpu]; }
  // Stall cycles owed by `cpu` for clears that snoops caused while it was running; consumed.
  double take_pending_cycles(int cpu);

  void set_counting(bool on) { counting_ = on; }
  bool counting() const { return counting_; }
  const CpuCounters& counters(int cpu) const { return counters_[cpu]; }
  const std::vector<PathTally>& tallies(int cpu) const { return tallies_[cpu]; }
  const CodePathCatalog& catalog() const { return catalog_; }
  const CpuParams& params() const { return params_; }
  double hz() const { return hz_; }

 private:
  void on_snoop(int victim, std::uint64_t lines);
  // The heap's order of refetches: the earliest on top.
  static bool later(const Refetch& a, const Refetch& b) { return a.at > b.at; }
  // The refetches due by `now`, in time order.
  void take_refetches(Picos now);
  // Nanoseconds the core waits for misses from memory and from the other CPU's cache, over the
  // misses in flight: a HITM read is one more pipelined bus read, whoever supplies its data.
  double miss_stall_ns(double from_memory, double from_peer) const;
  // Mean wait of one line on the FSB: M/D/1 at the bus's recent utilization (DMA + CPU lines).
  double bus_wait_ns(Picos now);
  // Whether a rep movs storing [addr, addr + bytes) runs as a fast string: long enough and its
  // destination aligned (IA-32 SDM Vol 3A 8.2.4's initial conditions).
  bool fast_string(Addr addr, std::uint64_t bytes) const {
    return static_cast<double>(bytes) >= params_.fast_string_min_bytes &&
           addr % static_cast<Addr>(params_.fast_string_align_bytes) == 0;
  }

  CpuParams params_;
  const CodePathCatalog& catalog_;
  CoherentCaches& caches_;
  MemoryBus& fsb_;
  double hz_;
  std::uint64_t page_bytes_;  // the prefetcher's page, in whole bytes
  int page_shift_;            // log2 of it when a power of two (a shift, not a division), else -1
  double line_ns_;            // one line's transfer on the idle FSB
  double latency_cycles_;     // a miss's unloaded latency from memory, in cycles
  std::vector<Addr> code_;  // per path, its code region
  // Per CPU and path (cpu * paths + path), the way each line of the path's code was in last time:
  // a code region is read again on every call, nearly always hitting where it hit before.
  std::vector<std::vector<std::uint8_t>> code_hints_;
  std::vector<PathId> running_;  // per CPU, the path it executes (kNoPath: it idles)
  std::vector<double> pending_cycles_;
  std::vector<Piece> pieces_;
  std::vector<Piece> spare_;  // storage of ended handler pieces, for the next preemption
  std::vector<Refetch> refetches_;  // a heap, the earliest first
  // The lines each stream of the path being charged fetched, and whether the prefetcher had them
  // ahead of it (run's scratch, kept to spare an allocation a call).
  struct StreamFill {
    double fetched = 0, demand = 0, peer = 0;
    bool in_time = false;
  };
  std::vector<StreamFill> streams_;
  // The access under way, for the snoop listener: whose lines it can take and when.
  Addr access_lo_ = 0;
  Addr access_hi_ = 0;
  Picos access_at_ = 0;
  bool access_by_device_ = false;  // a DMA write, not a CPU's access
  std::vector<CpuCounters> counters_;
  std::vector<std::vector<PathTally>> tallies_;
  bool counting_ = false;
  // The FSB's recent load: CPU bytes and DMA busy time since the current sample began.
  Picos sample_start_ = 0;
  Picos dma_busy_at_sample_ = 0;
  double cpu_bytes_in_sample_ = 0;
  double utilization_ = 0;
};

}  // namespace iscsim::models
