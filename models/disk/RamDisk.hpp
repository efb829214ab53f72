#pragma once
// Timing of a RAM-disk LUN behind a software target: one server (the target's CPU) takes
// commands in arrival order, each costing a fixed overhead, a per-block overhead and a copy.
#include <cstdint>

#include "models/common/ParamSet.hpp"
#include "models/common/Time.hpp"

namespace iscsim::models {

struct RamDiskParams {
  Picos per_command = 0;
  std::uint32_t block_bytes = 0;
  Picos per_block = 0;
  double copy_bytes_per_s = 0;

  static RamDiskParams from(const ParamSet& p);
};

class RamDisk {
 public:
  explicit RamDisk(const RamDiskParams& params) : params_(params) {}
  // A command moving `bytes` that arrives at `ready`; returns when its data is ready.
  Picos serve(Picos ready, std::uint64_t bytes);
  Picos service_time(std::uint64_t bytes) const;
  Picos busy_total() const { return busy_total_; }
  std::uint64_t commands() const { return commands_; }

 private:
  RamDiskParams params_;
  Picos free_at_ = 0;
  Picos busy_total_ = 0;
  std::uint64_t commands_ = 0;
};

}  // namespace iscsim::models
