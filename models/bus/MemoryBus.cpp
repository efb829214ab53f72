#include "models/bus/MemoryBus.hpp"

#include "models/common/Geometry.hpp"

namespace iscsim::models {

namespace {
constexpr double kTransfersPerMicroToPerSecond = 1e6;
}  // namespace

MemoryBusParams MemoryBusParams::from(const ParamSet& p) {
  MemoryBusParams m;
  m.bytes_per_second = p.number("transfers_per_us") * kTransfersPerMicroToPerSecond * p.number("width_bytes");
  m.line_bytes = static_cast<std::uint32_t>(p.integer("line_bytes", 1, kMaxLineBytes));
  if (m.bytes_per_second <= 0) throw ParamError(p.origin() + ": bandwidth must be positive");
  return m;
}

Picos MemoryBus::transfer(Picos ready, std::uint32_t bytes) {
  const LineTransfer t = transfers_.get(bytes, [this](std::uint32_t b) {
    const std::uint64_t lines = (b + params_.line_bytes - 1) / params_.line_bytes;
    return LineTransfer{lines, transfer_picos(static_cast<double>(lines * params_.line_bytes), params_.bytes_per_second)};
  });
  lines_ += t.lines;
  return timeline_.book(ready, t.duration).end;
}

}  // namespace iscsim::models
