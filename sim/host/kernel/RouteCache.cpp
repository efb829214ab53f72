#include "sim/host/kernel/RouteCache.hpp"

namespace iscsim::host::kernel {

const RouteCache::Route& RouteCache::to(std::size_t port, std::uint32_t remote_ip) {
  const std::uint64_t key = (static_cast<std::uint64_t>(port) << 32) | remote_ip;
  const auto [it, made] = routes_.try_emplace(key);
  if (made && bytes_.dst_hot > 0) {
    models::SlabCache& rtables = memory_->cache("ip_dst_cache", bytes_.rtable);
    it->second.output = rtables.alloc();
    it->second.input = rtables.alloc();
    // neigh_hh_init's kmalloc of the neighbour's header cache.
    if (bytes_.hh_cache > 0) it->second.hh = memory_->cache("hh_cache", bytes_.hh_cache).alloc();
    if (bytes_.hash_bucket > 0) it->second.bucket = memory_->region(bytes_.hash_bucket);
  }
  return it->second;
}

}  // namespace iscsim::host::kernel
