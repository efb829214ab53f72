#pragma once
// The front-side bus as DMA sees it: every device transfer to or from memory crosses it in whole
// cache lines, sharing its bandwidth with the CPUs' misses (added by the CPU model).
#include <cstdint>

#include "models/bus/BusyTimeline.hpp"
#include "models/bus/DurationMemo.hpp"
#include "models/common/ParamSet.hpp"

namespace iscsim::models {

struct MemoryBusParams {
  double bytes_per_second = 0;
  std::uint32_t line_bytes = 0;
  static MemoryBusParams from(const ParamSet& p);
};

class MemoryBus {
 public:
  explicit MemoryBus(const MemoryBusParams& params) : params_(params) {}
  // Moves `bytes` (rounded up to whole lines) starting no earlier than `ready`; returns the end.
  Picos transfer(Picos ready, std::uint32_t bytes);
  void forget_before(Picos t) { timeline_.forget_before(t); }
  Picos busy_total() const { return timeline_.busy_total(); }
  std::uint64_t lines() const { return lines_; }
  const MemoryBusParams& params() const { return params_; }

 private:
  // A transfer size's whole lines and their duration, remembered: the line count's division
  // costs as much as the rest of a transfer's arithmetic.
  struct LineTransfer {
    std::uint64_t lines = 0;
    Picos duration = 0;
  };
  MemoryBusParams params_;
  BusyTimeline timeline_;
  DurationMemo<LineTransfer> transfers_;
  std::uint64_t lines_ = 0;
};

}  // namespace iscsim::models
