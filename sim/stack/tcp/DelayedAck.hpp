#pragma once
// When the receiver acknowledges, as Linux 2.4 decides it (tcp_input.c, __tcp_ack_snd_check):
// immediately in quick-ACK mode (start of a connection, after reordering), when more than one
// full-sized segment is unacknowledged, or for anything out of order; otherwise after the
// delayed-ACK timeout `ato`, which backs off when the timer fires.
#include <cstdint>
#include <optional>

#include "sim/stack/common/Time.hpp"

namespace iscsim::stack::tcp {

class DelayedAck {
 public:
  DelayedAck(bool enabled, Nanos ato_min, Nanos ato_max, std::uint32_t max_quickacks)
      : enabled_(enabled), ato_min_(ato_min), ato_max_(ato_max), ato_(ato_min), max_quickacks_(max_quickacks) {}

  // In-order data of `payload` bytes arrived; `unacked` bytes are now received but not acked.
  // `window` is the receive window, used to size quick-ACK mode. Returns true: ACK now.
  bool on_data(Nanos now, std::uint32_t payload, std::uint32_t unacked, std::uint32_t window);
  // Reordering or a filled hole: ACK at once and for a while after.
  void enter_quickack(std::uint32_t window);

  // An ACK (pure or piggybacked) went out.
  void on_ack_sent();
  // The delayed-ACK timer fired; the caller sends the ACK.
  void on_timer();

  std::optional<Nanos> deadline() const { return deadline_; }
  std::uint32_t rcv_mss() const { return rcv_mss_; }

 private:
  bool enabled_;
  Nanos ato_min_;
  Nanos ato_max_;
  Nanos ato_;
  std::uint32_t max_quickacks_;
  std::uint32_t quick_ = 0;
  bool seen_data_ = false;
  std::uint32_t rcv_mss_ = kMinRcvMss;
  std::optional<Nanos> deadline_;

  static constexpr std::uint32_t kMinRcvMss = 536;  // TCP_MIN_RCVMSS
};

}  // namespace iscsim::stack::tcp
