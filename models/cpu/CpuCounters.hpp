#pragma once
// Per-CPU, per-bin event counts, as a sampling profiler (Oprofile on the paper's Xeons) reports
// them: cycles, retired instructions, machine clears and L2 misses.
#include <array>
#include <cstddef>

#include "models/cpu/Bin.hpp"

namespace iscsim::models {

struct BinCounters {
  double cycles = 0;
  double instr = 0;
  double clears = 0;
  double l2_misses = 0;
  BinCounters& operator+=(const BinCounters& o) {
    cycles += o.cycles;
    instr += o.instr;
    clears += o.clears;
    l2_misses += o.l2_misses;
    return *this;
  }
};

using CpuCounters = std::array<BinCounters, kBinCount>;

inline BinCounters& at(CpuCounters& c, Bin b) { return c[static_cast<std::size_t>(b)]; }
inline const BinCounters& at(const CpuCounters& c, Bin b) { return c[static_cast<std::size_t>(b)]; }

}  // namespace iscsim::models
