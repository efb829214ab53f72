#pragma once
// A two-CPU cost model over a small catalog for the CPU cost model's tests: "compute" (TCP, 1,000
// instructions at CPI 2), "copy" (Copies, a quarter of an instruction a byte), "string_copy" (the
// same by rep movs), "trap" (an int/iret a call), "locked" (two locked operations a call and one
// per 100 bytes) and "register" (an MMIO read and two writes a call), with a 512 KB L2 per CPU.
#include <string>

#include "models/cpu/CpuCostModel.hpp"

namespace iscsim::models::testing {

inline CodePathCatalog rig_catalog() {
  return CodePathCatalog::parse(nlohmann::json::parse(R"({"paths": {
    "compute": {"bin": "TCP", "instr_per_call": {"value": 1000, "min": 0, "max": 1e6, "source": "test"},
                "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
                "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
                "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}},
    "copy": {"bin": "Copies", "instr_per_call": {"value": 0, "min": 0, "max": 1, "source": "test"},
             "instr_per_byte": {"value": 0.25, "min": 0, "max": 1, "source": "test"},
             "cpi": {"value": 1, "min": 1, "max": 30, "source": "test"},
             "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}},
    "string_copy": {"bin": "Copies", "string_stores": "test",
             "instr_per_call": {"value": 0, "min": 0, "max": 1, "source": "test"},
             "instr_per_byte": {"value": 0.25, "min": 0, "max": 1, "source": "test"},
             "cpi": {"value": 1, "min": 1, "max": 30, "source": "test"},
             "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}},
    "trap": {"bin": "Interface", "traps": {"per_call": 1, "source": "test"},
             "instr_per_call": {"value": 100, "min": 0, "max": 1e6, "source": "test"},
             "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
             "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
             "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}},
    "locked": {"bin": "Kernel", "locked_ops": {"per_call": 2, "per_byte": 0.01, "source": "test"},
               "instr_per_call": {"value": 100, "min": 0, "max": 1e6, "source": "test"},
               "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
               "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
               "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}},
    "register": {"bin": "Driver", "mmio": {"reads": 1, "writes": 2, "source": "test"},
                 "instr_per_call": {"value": 100, "min": 0, "max": 1e6, "source": "test"},
                 "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
                 "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
                 "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}}}})"),
                                "test");
}

struct CpuRig {
  explicit CpuRig(double hz, double prefetch_after = kNoPrefetch, double window_uops = kWholePath,
                  bool locked_at_retirement = true, double prefetch_ahead = kAlwaysInTime, double misses_in_flight = 1)
      : caches(CacheGeometry{1 << 19, 8, 64, 1}, 2),
        fsb(MemoryBusParams{3.2e9, 64}),
        memory(64, 4096),
        paths(rig_catalog()),
        cpu(params(prefetch_after, window_uops, locked_at_retirement, prefetch_ahead, misses_in_flight), paths, caches, fsb,
            memory, 2, hz) {
    cpu.set_counting(true);
  }
  static constexpr double kNoPrefetch = 1e9;  // more misses per page than a page has lines
  static constexpr double kWholePath = 1e9;   // a window longer than any path: loads in flight throughout
  static constexpr double kAlwaysInTime = 1e9;  // a prefetcher so far ahead that no demand reaches it
  static CpuParams params(double prefetch_after, double window_uops, bool locked_at_retirement, double prefetch_ahead,
                          double misses_in_flight) {
    CpuParams p;
    p.prefetch_after_misses = prefetch_after;
    p.prefetch_page_bytes = 4096;
    p.prefetch_ahead_bytes = prefetch_ahead;
    p.memory_latency_ns = 100;
    p.peer_latency_ns = 150;
    p.misses_in_flight = misses_in_flight;
    p.clear_penalty_cycles = 100;
    p.snoop_clear_per_line = 0.5;
    p.window_uops = window_uops;
    p.idle_instr_per_cycle = 0;
    p.locked_loads_at_retirement = locked_at_retirement;
    p.mmio_read_ns = 750;
    p.mmio_write_ns = 80;
    p.int_iret_cycles = 1100;
    p.locked_op_cycles = 120;
    p.fast_string_min_bytes = 256;
    p.fast_string_align_bytes = 8;
    p.outrun_prefetches_count_as_l2_misses = true;
    return p;
  }
  CoherentCaches caches;
  MemoryBus fsb;
  AddressSpace memory;
  CodePathCatalog paths;
  CpuCostModel cpu;
};

}  // namespace iscsim::models::testing
