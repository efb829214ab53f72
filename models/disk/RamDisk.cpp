#include "models/disk/RamDisk.hpp"

#include <algorithm>

namespace iscsim::models {

namespace {
constexpr long long kMaxBlockBytes = 1 << 16;
}  // namespace

RamDiskParams RamDiskParams::from(const ParamSet& p) {
  RamDiskParams r;
  r.per_command = picos_from_nanos(p.number("per_command_ns"));
  r.block_bytes = static_cast<std::uint32_t>(p.integer("block_bytes", 1, kMaxBlockBytes));
  r.per_block = picos_from_nanos(p.number("per_block_ns"));
  r.copy_bytes_per_s = p.number("copy_bytes_per_s");
  if (r.copy_bytes_per_s <= 0) throw ParamError(p.origin() + ": copy_bytes_per_s must be positive");
  p.require_all_read();
  return r;
}

Picos RamDisk::service_time(std::uint64_t bytes) const {
  const std::uint64_t blocks = (bytes + params_.block_bytes - 1) / params_.block_bytes;
  return params_.per_command + static_cast<Picos>(blocks) * params_.per_block +
         picos_from_seconds(static_cast<double>(bytes) / params_.copy_bytes_per_s);
}

Picos RamDisk::serve(Picos ready, std::uint64_t bytes) {
  const Picos start = std::max(ready, free_at_);
  const Picos d = service_time(bytes);
  free_at_ = start + d;
  busy_total_ += d;
  ++commands_;
  return free_at_;
}

}  // namespace iscsim::models
