#pragma once
// An sk_buff on a TX ring: the clone tcp_transmit_skb hands the driver, owned by its socket
// (skb_set_owner_w), so freeing it when the NIC is done writes that socket (sock_wfree).
#include <cstdint>

#include "models/cpu/CpuCostModel.hpp"

namespace iscsim::host::kernel {

struct TxClone {
  models::Addr head = 0;
  models::Addr owner_sock = 0;  // 0: a frame of no connection's
  models::Addr dst = 0;         // the output route ip_queue_xmit gave it (dst_clone), 0: none
  models::Addr data = 0;        // the data it shares with the write queue's sk_buff, 0: not modelled
  // What sock_wfree writes of its owner (nothing when it has none): refcnt and wmem_alloc, by
  // atomic_sub and atomic_dec_and_test alone.
  models::Touch owner_write(std::uint32_t sock_wfree_bytes) const {
    return {owner_sock, owner_sock != 0 ? sock_wfree_bytes : 0, true, true};
  }
};

}  // namespace iscsim::host::kernel
