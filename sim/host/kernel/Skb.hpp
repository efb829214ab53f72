#pragma once
// A socket buffer as the costed hosts place it in memory: its struct sk_buff and its data, each
// from its own slab cache, and the route it was received on.
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

struct Skb {
  models::Addr head = 0;
  models::Addr data = 0;
  models::Addr dst = 0;  // the route it holds a reference on (skb->dst), 0: none
};

}  // namespace iscsim::host::kernel
