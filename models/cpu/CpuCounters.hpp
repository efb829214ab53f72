#pragma once
// Per-CPU, per-bin event counts, as a sampling profiler (Oprofile on the paper's Xeons) reports
// them: cycles, retired instructions, machine clears and L2 misses.
#include <array>
#include <cstddef>
#include <cstdint>

#include "models/cpu/Bin.hpp"

namespace iscsim::models {

// What flushed the pipeline: an interrupt's or IPI's delivery, a sampling profiler's NMI, a
// context switch's CR3 load, or a memory-ordering clear when another CPU's access or a device's
// DMA write snooped away a line with loads in flight. The profiler counts them all as one event.
enum class ClearCause : std::uint8_t { Interrupt, ProfilerNmi, Cr3Load, SnoopByCpu, SnoopByDevice };
inline constexpr std::size_t kClearCauseCount = 5;
inline constexpr std::array<const char*, kClearCauseCount> kClearCauseNames{
    "interrupt", "profiler_nmi", "cr3_load", "memory_order_cpu", "memory_order_dma"};

struct BinCounters {
  double cycles = 0;
  double instr = 0;
  double clears = 0;
  double l2_misses = 0;
  // Lines taken from another CPU's cache, where they were Modified (HITM), demanded or
  // prefetched: the lines that move between CPUs. Not a Table 1 counter.
  double cache_to_cache_lines = 0;
  std::array<double, kClearCauseCount> clears_by_cause{};  // sums to `clears`
  BinCounters& operator+=(const BinCounters& o) {
    cycles += o.cycles;
    instr += o.instr;
    clears += o.clears;
    l2_misses += o.l2_misses;
    cache_to_cache_lines += o.cache_to_cache_lines;
    for (std::size_t i = 0; i < kClearCauseCount; ++i) clears_by_cause[i] += o.clears_by_cause[i];
    return *this;
  }
};

using CpuCounters = std::array<BinCounters, kBinCount>;

inline BinCounters& at(CpuCounters& c, Bin b) { return c[static_cast<std::size_t>(b)]; }
inline const BinCounters& at(const CpuCounters& c, Bin b) { return c[static_cast<std::size_t>(b)]; }

}  // namespace iscsim::models
