#pragma once
// Congestion control: slow start and congestion avoidance (RFC 5681) with NewReno fast
// retransmit and fast recovery (RFC 6582). Works in bytes; the connection asks it how much
// may be in flight and tells it about ACKs, duplicate ACKs and timeouts.
#include <cstdint>

namespace iscsim::stack::tcp {

class NewReno {
 public:
  NewReno(std::uint32_t mss, std::uint32_t initial_segments);

  void set_mss(std::uint32_t mss);

  // What the connection must do after an ACK event.
  enum class Action { None, RetransmitFirst };

  // An ACK that advanced snd_una by `acked` bytes to `ack`; `flight` is what was in flight
  // before it.
  Action on_new_ack(std::uint32_t ack, std::uint32_t acked, std::uint32_t flight);
  // The n-th consecutive duplicate ACK; `snd_max` is the highest sequence sent.
  Action on_dup_ack(std::uint32_t dupacks, std::uint32_t threshold, std::uint32_t flight, std::uint32_t snd_una,
                    std::uint32_t snd_max);
  void on_timeout(std::uint32_t flight, std::uint32_t snd_max);

  // SACK-based recovery (RFC 6675 section 5; Linux 2.4's Recovery state with SACK): the window
  // drops to half of `flight` at once and the scoreboard, not partial ACKs, says what to resend.
  void enter_sack_recovery(std::uint32_t flight, std::uint32_t snd_max);
  // An ACK of new data during it: true when it ends the recovery (ack reaches recover).
  bool sack_recovery_over(std::uint32_t ack);
  // The retransmissions were needless: the window and threshold before the last cut come back
  // (tcp_undo_cwnd_reduction).
  void undo();

  std::uint32_t cwnd() const { return cwnd_; }
  std::uint32_t ssthresh() const { return ssthresh_; }
  bool in_recovery() const { return in_recovery_; }

 private:
  std::uint32_t half_flight(std::uint32_t flight) const;

  std::uint32_t mss_;
  std::uint32_t cwnd_;
  std::uint32_t ssthresh_;
  std::uint32_t recover_ = 0;
  bool recover_valid_ = false;
  bool in_recovery_ = false;
  std::uint32_t ca_acked_ = 0;  // bytes acked toward the next cwnd increase in avoidance
  std::uint32_t prior_cwnd_ = 0;
  std::uint32_t prior_ssthresh_ = 0;
};

}  // namespace iscsim::stack::tcp
