#include "models/disk/RamDisk.hpp"

#include <algorithm>

namespace iscsim::models {

namespace {
constexpr long long kMaxBlockBytes = 1 << 16;
constexpr long long kMaxSegmentBytes = 1 << 16;
}  // namespace

RamDiskParams RamDiskParams::from(const ParamSet& p) {
  RamDiskParams r;
  r.per_command = picos_from_nanos(p.number("per_command_ns"));
  r.block_bytes = static_cast<std::uint32_t>(p.integer("block_bytes", 1, kMaxBlockBytes));
  r.per_block = picos_from_nanos(p.number("per_block_ns"));
  r.copy_bytes_per_s = p.number("copy_bytes_per_s");
  if (r.copy_bytes_per_s <= 0) throw ParamError(p.origin() + ": copy_bytes_per_s must be positive");
  r.segment_payload_bytes = static_cast<std::uint32_t>(p.integer("segment_payload_bytes", 1, kMaxSegmentBytes));
  const double stack_ns[] = {p.number("rx_interrupt_per_segment_ns"), p.number("rx_thread_per_segment_ns"),
                             p.number("tx_thread_per_segment_ns"), p.number("tx_interrupt_per_segment_ns")};
  for (const double ns : stack_ns)
    if (ns < 0) throw ParamError(p.origin() + ": the per-segment stack times must not be negative");
  r.rx_interrupt_per_segment = picos_from_nanos(stack_ns[0]);
  r.rx_thread_per_segment = picos_from_nanos(stack_ns[1]);
  r.tx_thread_per_segment = picos_from_nanos(stack_ns[2]);
  r.tx_interrupt_per_segment = picos_from_nanos(stack_ns[3]);
  p.require_all_read();
  return r;
}

Picos RamDisk::Cpu::take(Picos ready, Picos duration) {
  if (duration == 0) return ready;  // nothing to run: no wait for what the CPU is doing
  free_at = std::max(ready, free_at) + duration;
  busy_total += duration;
  return free_at;
}

std::uint64_t RamDisk::segments(std::uint64_t bytes) const {
  return (bytes + params_.segment_payload_bytes - 1) / params_.segment_payload_bytes;
}

Picos RamDisk::service_time(std::uint64_t bytes) const {
  const std::uint64_t blocks = (bytes + params_.block_bytes - 1) / params_.block_bytes;
  return params_.per_command + static_cast<Picos>(blocks) * params_.per_block +
         picos_from_seconds(static_cast<double>(bytes) / params_.copy_bytes_per_s);
}

Picos RamDisk::serve(Picos ready, std::uint64_t bytes) {
  ++commands_;
  return thread_.take(ready, service_time(bytes));
}

Picos RamDisk::receive(Picos ready, std::uint64_t bytes) {
  const auto n = static_cast<Picos>(segments(bytes));
  const Picos stacked = interrupt_.take(ready, n * params_.rx_interrupt_per_segment);
  return thread_.take(stacked, n * params_.rx_thread_per_segment);
}

Picos RamDisk::send(Picos ready, std::uint64_t bytes) {
  const auto n = static_cast<Picos>(segments(bytes));
  const Picos sent = thread_.take(ready, n * params_.tx_thread_per_segment);
  // Its completions come as the wire takes the segments: booked now, they only hold back the
  // interrupt CPU's later work, as they would.
  interrupt_.take(ready, n * params_.tx_interrupt_per_segment);
  return sent;
}

}  // namespace iscsim::models
