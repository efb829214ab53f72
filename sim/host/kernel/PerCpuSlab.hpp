#pragma once
// Linux 2.4's per-CPU object arrays in front of a slab cache (mm/slab.c, the SMP cpucache): a
// CPU frees into and allocates from its own array, last in first out, so an object freed on one
// CPU is reused there; the shared cache is reached a batch at a time when the array runs empty
// (a refill) or full (the oldest batch goes back).
#include <algorithm>
#include <cstdint>
#include <vector>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

// Allocations made before the run, on no CPU (a driver's receive ring filled at open).
inline constexpr int kNoCpu = -1;

// enable_cpucache's array limits by object size (batch: half the limit).
struct CpuCacheLimits {
  std::uint32_t over_1024_bytes = 0;
  std::uint32_t over_256_bytes = 0;
  std::uint32_t small = 0;
  std::uint32_t for_object(std::uint32_t bytes) const {
    return bytes > 1024 ? over_1024_bytes : bytes > 256 ? over_256_bytes : small;
  }
};

class PerCpuSlab {
 public:
  PerCpuSlab() = default;
  PerCpuSlab(models::SlabCache& shared, int cpus, const CpuCacheLimits& limits)
      : shared_(&shared),
        limit_(limits.for_object(shared.object_bytes())),
        batch_(std::max<std::uint32_t>(1, limit_ / 2)),
        arrays_(static_cast<std::size_t>(cpus)) {}

  // On `cpu`, or with kNoCpu straight from the shared cache.
  models::Addr alloc(int cpu) {
    if (cpu < 0 || limit_ == 0) return shared_->alloc();
    std::vector<models::Addr>& a = arrays_[static_cast<std::size_t>(cpu)];
    if (a.empty())
      for (std::uint32_t i = 0; i < batch_; ++i) a.push_back(shared_->alloc());
    const models::Addr object = a.back();
    a.pop_back();
    return object;
  }

  void free(int cpu, models::Addr object) {
    if (cpu < 0 || limit_ == 0) return shared_->free(object);
    std::vector<models::Addr>& a = arrays_[static_cast<std::size_t>(cpu)];
    if (a.size() >= limit_) {
      for (std::uint32_t i = 0; i < batch_; ++i) shared_->free(a[i]);
      a.erase(a.begin(), a.begin() + batch_);
    }
    a.push_back(object);
  }

 private:
  models::SlabCache* shared_ = nullptr;
  std::uint32_t limit_ = 0;
  std::uint32_t batch_ = 1;
  std::vector<std::vector<models::Addr>> arrays_;
};

}  // namespace iscsim::host::kernel
