#pragma once
// A PCI-X bus segment shared by the devices on it. DMA writes are posted bursts; DMA reads are
// split transactions that wait for the bridge's latency and return in MMRBC-sized completions.
#include <cstdint>

#include "models/bus/BusyTimeline.hpp"
#include "models/bus/DurationMemo.hpp"
#include "models/common/ParamSet.hpp"

namespace iscsim::models {

struct PciBusParams {
  double clock_hz = 0;
  double width_bytes = 0;
  double write_overhead_clocks = 0;
  std::uint32_t max_write_burst_bytes = 0;
  double read_overhead_clocks = 0;
  std::uint32_t max_read_request_bytes = 0;
  Picos read_latency = 0;

  static PciBusParams from(const ParamSet& p);
};

class PciBus {
 public:
  explicit PciBus(const PciBusParams& params) : params_(params) {}
  // A posted DMA write of `bytes` ready at `ready`; returns when its last data phase ends.
  Picos dma_write(Picos ready, std::uint32_t bytes);
  // A DMA read of `bytes` requested at `ready`; returns when the last completion has arrived.
  Picos dma_read(Picos ready, std::uint32_t bytes);
  void forget_before(Picos t) { timeline_.forget_before(t); }

  Picos busy_total() const { return timeline_.busy_total(); }
  std::uint64_t bytes_written() const { return bytes_written_; }
  std::uint64_t bytes_read() const { return bytes_read_; }
  double raw_bytes_per_second() const { return params_.clock_hz * params_.width_bytes; }

 private:
  Picos occupancy(std::uint32_t bytes, std::uint32_t burst_bytes, double overhead_clocks) const;
  PciBusParams params_;
  BusyTimeline timeline_;
  DurationMemo<> write_occupancy_;
  DurationMemo<> read_occupancy_;
  std::uint64_t bytes_written_ = 0;
  std::uint64_t bytes_read_ = 0;
};

}  // namespace iscsim::models
