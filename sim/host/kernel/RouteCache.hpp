#pragma once
// Linux 2.4's routing cache as the costed hosts' memory holds it: for each remote address on a
// NIC, the output route TCP keeps in sk->dst_cache, with its neighbour's hardware-header cache,
// and the input route ip_route_input finds for the frames from there. Every packet's sk_buff
// holds a reference on its route (skb->dst) from the lookup or the transmit to __kfree_skb.
#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"
#include "sim/host/kernel/KernelModel.hpp"

namespace iscsim::host::kernel {

class RouteCache {
 public:
  struct Route {
    models::Addr output = 0;  // 0: the route cache's lines are not modelled
    models::Addr input = 0;
    models::Addr hh = 0;
    models::Addr bucket = 0;  // the input route's hash bucket in rt_hash_table
  };

  RouteCache(models::AddressSpace& memory, RouteObjectBytes bytes) : memory_(&memory), bytes_(bytes) {}

  // The routes to and from `remote_ip` on NIC `port`, made when first asked for (the
  // connection's first packets made them before any measurement).
  const Route& to(std::size_t port, std::uint32_t remote_ip);
  // ip_queue_xmit and ip_finish_output2 sending on `r`: the output route's hot fields read
  // (obsolete, pmtu, dev) and its refcount taken (dst_clone's atomic_inc); the header copied
  // from the hardware-header cache under its read lock (two locked writes to that line).
  std::array<models::Touch, 2> transmit(const Route& r) const {
    return {models::Touch{r.output, r.output != 0 ? bytes_.dst_hot : 0, true},
            models::Touch{r.hh, r.hh != 0 ? bytes_.hh_cache : 0, true}};
  }
  // ip_route_input's hit for a received frame: its bucket read-locked and its chain loaded; the
  // route's lastuse and __use stored and its refcount taken.
  std::array<models::Touch, 2> input(const Route& r) const {
    return {models::Touch{r.bucket, r.bucket != 0 ? bytes_.hash_bucket : 0, true},
            models::Touch{r.input, r.input != 0 ? bytes_.dst_hot : 0, true}};
  }
  // __kfree_skb's dst_release of the route at `dst` (0: none): an atomic_dec and nothing else.
  models::Touch release(models::Addr dst) const { return {dst, dst != 0 ? bytes_.dst_hot : 0, true, true}; }

 private:
  models::AddressSpace* memory_;
  RouteObjectBytes bytes_;
  std::unordered_map<std::uint64_t, Route> routes_;
};

}  // namespace iscsim::host::kernel
