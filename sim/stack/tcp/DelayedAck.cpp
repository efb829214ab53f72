#include "sim/stack/tcp/DelayedAck.hpp"

#include <algorithm>

namespace iscsim::stack::tcp {

void DelayedAck::enter_quickack(std::uint32_t window) {
  // tcp_incr_quickack: enough quick ACKs to open the sender's window, bounded.
  const std::uint32_t quick = std::max(1u, window / (2 * rcv_mss_));
  quick_ = std::min(std::max(quick_, quick), max_quickacks_);
  ato_ = ato_min_;
}

bool DelayedAck::on_data(Nanos now, std::uint32_t payload, std::uint32_t unacked, std::uint32_t window) {
  rcv_mss_ = std::max(rcv_mss_, payload);
  if (!seen_data_) {
    seen_data_ = true;
    enter_quickack(window);
  }
  if (!enabled_ || quick_ > 0 || unacked > rcv_mss_) return true;
  if (!deadline_) deadline_ = now + ato_;
  return false;
}

void DelayedAck::on_ack_sent() {
  if (quick_ > 0) --quick_;
  deadline_.reset();
}

void DelayedAck::on_timer() {
  ato_ = std::min(ato_ * 2, ato_max_);
  deadline_.reset();
}

}  // namespace iscsim::stack::tcp
