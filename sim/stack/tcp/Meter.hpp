#pragma once
// How the protocol core reports the work it does, for the cost model to price: which code path
// ran, over how many payload bytes, touching how many kernel objects (TCB, queues, buffers).
// The core never knows what work costs; a null meter costs nothing.
#include <cstdint>

namespace iscsim::stack::tcp {

enum class TcpWork : std::uint8_t {
  SegmentIn,       // tcp_v4_rcv .. tcp_rcv_established: one segment's header processed
  DataInOrder,     // payload queued to the socket receive queue
  DataOutOfOrder,  // payload put on the out-of-order queue
  AckIn,           // an ACK that freed send-queue bytes
  SegmentOut,      // tcp_transmit_skb: one segment built (new data)
  Retransmit,      // a segment sent again
  PureAckOut,      // an ACK or window update without data
  AppWrite,        // tcp_sendmsg: bytes copied into the send queue
  AppRead,         // tcp_recvmsg: bytes copied out of the receive queue
  TimerExpiry,     // retransmit, delayed-ACK, persist or TIME-WAIT timer
};

class Meter {
 public:
  virtual ~Meter() = default;
  virtual void record(TcpWork work, std::uint32_t bytes, std::uint32_t objects) = 0;
};

}  // namespace iscsim::stack::tcp
