#include "models/bus/PciBus.hpp"

#include <cmath>

namespace iscsim::models {

namespace {
constexpr double kHzPerMhz = 1e6;
constexpr long long kMaxBurstBytes = 1 << 16;
}  // namespace

PciBusParams PciBusParams::from(const ParamSet& p) {
  PciBusParams b;
  b.clock_hz = p.number("clock_mhz") * kHzPerMhz;
  b.width_bytes = p.number("width_bytes");
  b.write_overhead_clocks = p.number("write_overhead_clocks");
  b.max_write_burst_bytes = static_cast<std::uint32_t>(p.integer("max_write_burst_bytes", 1, kMaxBurstBytes));
  b.read_overhead_clocks = p.number("read_overhead_clocks");
  b.max_read_request_bytes = static_cast<std::uint32_t>(p.integer("max_read_request_bytes", 1, kMaxBurstBytes));
  b.read_latency = picos_from_nanos(p.number("read_latency_ns"));
  if (b.clock_hz <= 0 || b.width_bytes <= 0) throw ParamError(p.origin() + ": clock and width must be positive");
  return b;
}

Picos PciBus::occupancy(std::uint32_t bytes, std::uint32_t burst_bytes, double overhead_clocks) const {
  const double transactions = std::ceil(static_cast<double>(bytes) / burst_bytes);
  const double data_clocks = std::ceil(static_cast<double>(bytes) / params_.width_bytes);
  const double clocks = data_clocks + transactions * overhead_clocks;
  return transfer_picos(clocks, params_.clock_hz);
}

Picos PciBus::dma_write(Picos ready, std::uint32_t bytes) {
  bytes_written_ += bytes;
  const Picos busy = write_occupancy_.get(
      bytes, [this](std::uint32_t b) { return occupancy(b, params_.max_write_burst_bytes, params_.write_overhead_clocks); });
  return timeline_.book(ready, busy).end;
}

Picos PciBus::dma_read(Picos ready, std::uint32_t bytes) {
  bytes_read_ += bytes;
  // The bus is free while the bridge fetches from memory; completions then stream back.
  const Picos busy = read_occupancy_.get(
      bytes, [this](std::uint32_t b) { return occupancy(b, params_.max_read_request_bytes, params_.read_overhead_clocks); });
  return timeline_.book(ready + params_.read_latency, busy).end;
}

}  // namespace iscsim::models
