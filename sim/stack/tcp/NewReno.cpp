#include "sim/stack/tcp/NewReno.hpp"

#include <algorithm>
#include <limits>

#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {

namespace {
constexpr std::uint32_t kMinSsthreshSegments = 2;  // RFC 5681 eq. (4)
constexpr std::uint32_t kLossWindowSegments = 1;   // RFC 5681 section 3.1: LW = 1 SMSS
}  // namespace

NewReno::NewReno(std::uint32_t mss, std::uint32_t initial_segments)
    : mss_(mss), cwnd_(mss * initial_segments), ssthresh_(std::numeric_limits<std::uint32_t>::max()) {}

void NewReno::set_mss(std::uint32_t mss) {
  // The window was opened in segments of the provisional MSS; keep its segment count.
  cwnd_ = cwnd_ / std::max(mss_, 1u) * mss;
  mss_ = mss;
}

std::uint32_t NewReno::half_flight(std::uint32_t flight) const {
  return std::max(flight / 2, kMinSsthreshSegments * mss_);
}

NewReno::Action NewReno::on_new_ack(std::uint32_t ack, std::uint32_t acked, std::uint32_t flight) {
  if (in_recovery_) {
    if (seq_geq(ack, recover_)) {
      // Full acknowledgment: deflate the window (RFC 6582 section 3.2 step 3, option 1).
      in_recovery_ = false;
      cwnd_ = std::min(ssthresh_, std::max(flight - std::min(flight, acked), mss_) + mss_);
      return Action::None;
    }
    // Partial acknowledgment: retransmit the next hole, deflate by what was acked, add one MSS.
    cwnd_ = cwnd_ - std::min(cwnd_, acked) + mss_;
    return Action::RetransmitFirst;
  }
  if (cwnd_ < ssthresh_) {
    cwnd_ += std::min(acked, mss_);  // slow start, RFC 5681 eq. (2)
  } else {
    ca_acked_ += acked;  // congestion avoidance: one MSS per window of data acked
    if (ca_acked_ >= cwnd_) {
      ca_acked_ -= cwnd_;
      cwnd_ += mss_;
    }
  }
  return Action::None;
}

NewReno::Action NewReno::on_dup_ack(std::uint32_t dupacks, std::uint32_t threshold, std::uint32_t flight,
                                    std::uint32_t snd_una, std::uint32_t snd_max) {
  if (in_recovery_) {
    cwnd_ += mss_;  // each duplicate ACK means a segment left the network
    return Action::None;
  }
  if (dupacks != threshold) return Action::None;
  // RFC 6582 section 3.2 step 1: no new recovery for losses from the window already recovered.
  if (recover_valid_ && seq_leq(snd_una, recover_) && seq_diff(snd_una, recover_) != 0) return Action::None;
  ssthresh_ = half_flight(flight);
  cwnd_ = ssthresh_ + threshold * mss_;
  recover_ = snd_max;
  recover_valid_ = true;
  in_recovery_ = true;
  return Action::RetransmitFirst;
}

void NewReno::enter_sack_recovery(std::uint32_t flight, std::uint32_t snd_max) {
  prior_cwnd_ = cwnd_;
  prior_ssthresh_ = ssthresh_;
  ssthresh_ = half_flight(flight);
  cwnd_ = ssthresh_;
  recover_ = snd_max;
  recover_valid_ = true;
  in_recovery_ = true;
}

bool NewReno::sack_recovery_over(std::uint32_t ack) {
  if (!in_recovery_ || !seq_geq(ack, recover_)) return false;
  in_recovery_ = false;
  cwnd_ = std::min(cwnd_, ssthresh_);
  return true;
}

void NewReno::undo() {
  cwnd_ = std::max(cwnd_, prior_cwnd_);
  ssthresh_ = std::max(ssthresh_, prior_ssthresh_);
}

void NewReno::on_timeout(std::uint32_t flight, std::uint32_t snd_max) {
  ssthresh_ = half_flight(flight);
  cwnd_ = kLossWindowSegments * mss_;
  in_recovery_ = false;
  recover_ = snd_max;
  recover_valid_ = true;
  ca_acked_ = 0;
}

}  // namespace iscsim::stack::tcp
