#pragma once
// A socket buffer as the costed hosts place it in memory: its struct sk_buff and its data, each
// from its own slab cache, the route it was received on, and where a received frame's payload
// starts in its data.
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

struct Skb {
  models::Addr head = 0;
  models::Addr data = 0;  // the kmalloc object of its data
  models::Addr dst = 0;  // the route it holds a reference on (skb->dst), 0: none
  models::Addr payload = 0;  // a received frame's TCP payload, past its headers; 0: not known
};

}  // namespace iscsim::host::kernel
