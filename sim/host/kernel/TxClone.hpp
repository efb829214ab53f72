#pragma once
// An sk_buff on a TX ring: the clone tcp_transmit_skb hands the driver, owned by its socket
// (skb_set_owner_w), so freeing it when the NIC is done writes that socket (sock_wfree).
#include "models/cache/CoherentCaches.hpp"

namespace iscsim::host::kernel {

struct TxClone {
  models::Addr head = 0;
  models::Addr owner_sock = 0;  // 0: a frame of no connection's
};

}  // namespace iscsim::host::kernel
