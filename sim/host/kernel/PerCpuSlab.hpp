#pragma once
// Linux 2.4's per-CPU object arrays in front of a slab cache (mm/slab.c, the SMP cpucache): a
// CPU frees into and allocates from its own array, last in first out, so an object freed on one
// CPU is reused there; the shared cache is reached a batch at a time when the array runs empty
// (a refill) or full (the oldest batch goes back). Those moves are what an observer is told of:
// they take the cache's lock and write the moved objects' slab descriptors.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

// Allocations made before the run, on no CPU (a driver's receive ring filled at open).
inline constexpr int kNoCpu = -1;

// enable_cpucache's array limits by object size (batch: half the limit); objects larger than a
// page get none.
struct CpuCacheLimits {
  std::uint32_t over_1024_bytes = 0;
  std::uint32_t over_256_bytes = 0;
  std::uint32_t small = 0;
  std::uint32_t page_bytes = 0;  // 0: no object is too large
  std::uint32_t for_object(std::uint32_t bytes) const {
    if (page_bytes > 0 && bytes > page_bytes) return 0;
    return bytes > 1024 ? over_1024_bytes : bytes > 256 ? over_256_bytes : small;
  }
};

class PerCpuSlab {
 public:
  // Objects `cpu` took from the shared cache (`refill`: kmem_cache_alloc_batch) or gave back to
  // it (free_block); without per-CPU arrays, every allocation and free is one of these.
  using Moved = std::function<void(int cpu, bool refill, const std::vector<models::Addr>& objects)>;

  PerCpuSlab() = default;
  PerCpuSlab(models::SlabCache& shared, int cpus, const CpuCacheLimits& limits)
      : shared_(&shared),
        limit_(limits.for_object(shared.object_bytes())),
        batch_(std::max<std::uint32_t>(1, limit_ / 2)),
        arrays_(static_cast<std::size_t>(cpus)) {}

  void on_moved(Moved observer) { moved_ = std::move(observer); }

  // On `cpu`, or with kNoCpu straight from the shared cache (before the run: nothing is told).
  models::Addr alloc(int cpu) {
    if (cpu < 0) return shared_->alloc();
    batch_moved_.clear();
    if (limit_ == 0) {
      batch_moved_.push_back(shared_->alloc());
    } else {
      std::vector<models::Addr>& a = arrays_[static_cast<std::size_t>(cpu)];
      if (a.empty())
        for (std::uint32_t i = 0; i < batch_; ++i) batch_moved_.push_back(shared_->alloc());
      a.insert(a.end(), batch_moved_.begin(), batch_moved_.end());
    }
    tell(cpu, true);
    if (limit_ == 0) return batch_moved_.front();
    std::vector<models::Addr>& a = arrays_[static_cast<std::size_t>(cpu)];
    const models::Addr object = a.back();
    a.pop_back();
    return object;
  }

  void free(int cpu, models::Addr object) {
    if (cpu < 0) return shared_->free(object);
    batch_moved_.clear();
    if (limit_ == 0) {
      shared_->free(object);
      batch_moved_.push_back(object);
    } else {
      std::vector<models::Addr>& a = arrays_[static_cast<std::size_t>(cpu)];
      if (a.size() >= limit_) {
        for (std::uint32_t i = 0; i < batch_; ++i) {
          shared_->free(a[i]);
          batch_moved_.push_back(a[i]);
        }
        a.erase(a.begin(), a.begin() + batch_);
      }
      a.push_back(object);
    }
    tell(cpu, false);
  }

 private:
  void tell(int cpu, bool refill) {
    if (moved_ && !batch_moved_.empty()) moved_(cpu, refill, batch_moved_);
  }

  models::SlabCache* shared_ = nullptr;
  std::uint32_t limit_ = 0;
  std::uint32_t batch_ = 1;
  std::vector<std::vector<models::Addr>> arrays_;
  std::vector<models::Addr> batch_moved_;  // kept between moves: no allocation per batch
  Moved moved_;
};

}  // namespace iscsim::host::kernel
