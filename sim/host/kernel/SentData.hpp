#pragma once
// The data of the sk_buffs TCP sends, shared by the write queue's sk_buff and the clones that
// tcp_transmit_skb hands the driver (2.4 skb_shared_info's dataref): whichever of them is freed
// last frees the data, into its kmalloc cache on the CPU that freed it. Data 0 is an sk_buff's
// whose data is not modelled: no reference, no shared info (0).
#include <cstdint>
#include <unordered_map>

#include "models/memory/AddressSpace.hpp"
#include "sim/host/kernel/PerCpuSlab.hpp"

namespace iscsim::host::kernel {

class SentData {
 public:
  // alloc_skb's data at `data`, from `cache`, its skb_shared_info at `shinfo`: one reference.
  void add(models::Addr data, PerCpuSlab& cache, models::Addr shinfo) { objects_[data] = Object{&cache, shinfo, 1}; }
  // skb_clone: one more reference.
  void clone(models::Addr data) {
    if (data != 0) ++objects_.at(data).refs;
  }
  models::Addr shinfo(models::Addr data) const { return data != 0 ? objects_.at(data).shinfo : 0; }
  // skb_release_data on `cpu`: the last reference frees the data there.
  void release(int cpu, models::Addr data) {
    if (data == 0) return;
    const auto found = objects_.find(data);
    if (--found->second.refs > 0) return;
    found->second.cache->free(cpu, data);
    objects_.erase(found);
  }
  std::size_t live() const { return objects_.size(); }

 private:
  struct Object {
    PerCpuSlab* cache = nullptr;
    models::Addr shinfo = 0;
    std::uint32_t refs = 0;
  };
  std::unordered_map<models::Addr, Object> objects_;
};

}  // namespace iscsim::host::kernel
