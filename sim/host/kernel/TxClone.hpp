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
  bool cloned = true;           // false: an sk_buff sent as it is (an ACK), its data its own
  // What sock_wfree writes of its owner (nothing when it has none): refcnt and wmem_alloc, by
  // atomic_sub and atomic_dec_and_test alone.
  models::Touch owner_write(std::uint32_t sock_wfree_bytes) const {
    return {owner_sock, owner_sock != 0 ? sock_wfree_bytes : 0, true, true};
  }
};

// The headers of a sent frame of `frame_bytes` carrying `payload_bytes`, which tcp_transmit_skb,
// ip_queue_xmit and the neighbour's cached header write in the sk_buff's data in front of the
// payload, ending at `end` (0: not modelled). Loads too: ip_send_check sums the header it wrote.
inline models::Touch tx_headers(std::uint64_t frame_bytes, std::uint64_t payload_bytes, models::Addr end) {
  const std::uint64_t bytes = frame_bytes - payload_bytes;
  return end != 0 ? models::Touch{end - bytes, bytes, true} : models::Touch{};
}

}  // namespace iscsim::host::kernel
