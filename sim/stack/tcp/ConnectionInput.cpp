// Segment arrival: RFC 9293 section 3.10.7 ("SEGMENT ARRIVES"), in Linux 2.4's order.
#include <algorithm>

#include "sim/stack/tcp/Connection.hpp"
#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {

namespace {
// Objects a received segment touches: the socket buffer and the TCB.
constexpr std::uint32_t kObjectsPerSegmentIn = 2;
}  // namespace

void Connection::on_segment(Nanos now, const Segment& seg) {
  now_ = now;
  ++stats_.segments_received;
  record(TcpWork::SegmentIn, 0, kObjectsPerSegmentIn);
  switch (state_) {
    case State::Closed:
      return;
    case State::Listen:
      on_segment_listen(seg);
      return;
    case State::SynSent:
      on_segment_syn_sent(seg);
      return;
    default:
      break;
  }
  // Our SYN-ACK was lost and the peer sent its SYN again.
  if (state_ == State::SynReceived && seg.has(flag::kSyn) && !seg.has(flag::kAck) && seg.seq == irs_) {
    send_syn(true);
    ++stats_.retransmissions;
    return;
  }
  if (!acceptable(seg)) {
    if (seg.has(flag::kRst)) return;
    if (seg.seq_len() > 0 && seq_lt(seg.seq, rcv_nxt_)) {
      ++stats_.duplicate_segments_received;
      const std::uint32_t end = seg.seq + static_cast<std::uint32_t>(seg.payload.size());
      set_dsack(seg.seq, seq_lt(end, rcv_nxt_) ? end : rcv_nxt_);  // tcp_send_dupack
    } else if (seg.seq_len() > 0) {
      ++stats_.segments_beyond_window;
    }
    ack_now_ = true;  // a duplicate ACK tells the sender where we are
    return;
  }
  if (seg.has(flag::kRst)) {
    ++stats_.resets_received;
    state_ = State::Closed;
    retransmit_at_.reset();
    persist_at_.reset();
    time_wait_at_.reset();
    return;
  }
  if (seg.has(flag::kSyn)) {  // RFC 5961 section 4: answer a SYN in window with a challenge ACK
    ack_now_ = true;
    return;
  }
  if (!seg.has(flag::kAck)) return;
  update_timestamps(seg);

  if (state_ == State::SynReceived) {
    if (!seq_gt(seg.ack, snd_una_) || seq_gt(seg.ack, snd_max_)) return;
    state_ = State::Established;
    snd_wl1_ = seg.seq - 1;  // force the window update below
  }
  process_ack(seg);
  if (state_ == State::Closed) return;

  const bool takes_data = state_ == State::Established || state_ == State::FinWait1 || state_ == State::FinWait2;
  if (!seg.payload.empty() && takes_data) process_data(seg);
  if (seg.has(flag::kFin)) {
    const std::uint32_t fin = seg.seq + static_cast<std::uint32_t>(seg.payload.size());
    if (!fin_received_) peer_fin_ = fin;
    if (fin_received_ && fin == rcv_nxt_ - 1) ack_now_ = true;  // a retransmitted FIN: ACK again
  }
  if (peer_fin_ && *peer_fin_ == rcv_nxt_ && !fin_received_) process_fin();
}

void Connection::on_segment_listen(const Segment& seg) {
  if (seg.has(flag::kRst) || seg.has(flag::kAck) || !seg.has(flag::kSyn)) return;
  irs_ = seg.seq;
  rcv_nxt_ = irs_ + 1;
  rcv_adv_ = rcv_nxt_;
  last_ack_sent_ = rcv_nxt_;
  learn_peer_options(seg);
  snd_wnd_ = seg.window;  // never scaled on a SYN (RFC 7323 section 2.2)
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = seg.seq;
  state_ = State::SynReceived;
  send_syn(true);
}

void Connection::on_segment_syn_sent(const Segment& seg) {
  const bool ack_ok = seg.has(flag::kAck) && seg.ack == iss_ + 1;
  if (seg.has(flag::kAck) && !ack_ok) return;
  if (seg.has(flag::kRst)) {
    if (ack_ok) {
      ++stats_.resets_received;
      state_ = State::Closed;
      retransmit_at_.reset();
    }
    return;
  }
  if (!seg.has(flag::kSyn)) return;
  irs_ = seg.seq;
  rcv_nxt_ = irs_ + 1;
  rcv_adv_ = rcv_nxt_;
  learn_peer_options(seg);
  snd_wnd_ = seg.window;
  max_snd_wnd_ = snd_wnd_;
  snd_wl1_ = seg.seq;
  snd_wl2_ = seg.ack;
  if (!ack_ok) {  // simultaneous open
    state_ = State::SynReceived;
    send_syn(true);
    return;
  }
  update_timestamps(seg);
  if (ts_ok_ && seg.options.timestamps && seg.options.timestamps->echo_reply != 0) {
    rtt_.sample(static_cast<Nanos>(ts_now() - seg.options.timestamps->echo_reply) *
                (kNanosPerSecond / cfg_.timestamp_hz));
  } else if (timed_seq_) {
    rtt_.sample(now_ - timed_at_);
  }
  timed_seq_.reset();
  rtt_.reset_backoff();
  snd_una_ = seg.ack;
  snd_nxt_ = seq_max(snd_nxt_, snd_una_);
  retransmit_at_.reset();
  state_ = State::Established;
  ack_now_ = true;
}

void Connection::learn_peer_options(const Segment& seg) {
  const std::uint32_t peer_mss = seg.options.mss.value_or(kDefaultMss);
  ts_ok_ = cfg_.timestamps && seg.options.timestamps.has_value();
  wscale_ok_ = cfg_.window_scaling && seg.options.window_scale.has_value();
  sack_ok_ = cfg_.sack && seg.options.sack_permitted;
  snd_wscale_ = wscale_ok_ ? std::min(*seg.options.window_scale, kMaxWindowShift) : 0;
  if (!wscale_ok_) rcv_wscale_ = 0;
  if (ts_ok_) ts_recent_ = seg.options.timestamps->value;
  snd_mss_ = std::min(peer_mss, cfg_.mtu_bytes - kIpv4TcpHeaderBytes) - (ts_ok_ ? kTimestampOptionBytes : 0);
  cc_.set_mss(snd_mss_);
}

bool Connection::acceptable(const Segment& seg) const {
  const std::uint32_t wnd = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  const auto len = static_cast<std::uint32_t>(seg.payload.size()) + (seg.has(flag::kFin) ? 1u : 0u);
  const auto in_window = [&](std::uint32_t s) { return seq_leq(rcv_nxt_, s) && seq_lt(s, rcv_nxt_ + wnd); };
  if (len == 0) return wnd == 0 ? seg.seq == rcv_nxt_ : (seq_leq(rcv_nxt_, seg.seq) && seq_leq(seg.seq, rcv_nxt_ + wnd));
  if (wnd == 0) return false;
  return in_window(seg.seq) || in_window(seg.seq + len - 1);
}

void Connection::update_timestamps(const Segment& seg) {
  // RFC 7323 section 4.3: remember the TSval of the segment that advances the left edge.
  if (!ts_ok_ || !seg.options.timestamps) return;
  if (seq_leq(seg.seq, last_ack_sent_) && seq_geq(seg.options.timestamps->value, ts_recent_))
    ts_recent_ = seg.options.timestamps->value;
}

void Connection::process_ack(const Segment& seg) {
  const std::uint32_t ack = seg.ack;
  if (seq_gt(ack, snd_max_)) {  // acknowledges what we never sent
    ack_now_ = true;
    return;
  }
  if (seq_lt(ack, snd_una_)) return;  // old

  const std::uint32_t old_wnd = snd_wnd_;
  if (seq_lt(snd_wl1_, seg.seq) || (snd_wl1_ == seg.seq && seq_leq(snd_wl2_, ack))) {
    snd_wnd_ = static_cast<std::uint32_t>(seg.window) << snd_wscale_;
    snd_wl1_ = seg.seq;
    snd_wl2_ = ack;
    max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
  }

  // tcp_sacktag_write_queue reads the blocks before the cumulative ACK frees anything.
  if (sack_ok_ && scoreboard_.on_blocks(seg.options, ack, snd_una_, snd_max_, snd_mss_)) ++stats_.dsacks_received;

  if (ack == snd_una_) {
    // RFC 5681 section 2: a duplicate ACK carries nothing new while data is outstanding.
    const bool duplicate = seg.payload.empty() && !seg.has(flag::kSyn) && !seg.has(flag::kFin) &&
                           snd_wnd_ == old_wnd && snd_max_ != snd_una_;
    if (duplicate) {
      ++dupacks_;
      ++stats_.dup_acks_received;
    }
    if (sack_ok_) sack_recovery();
    if (!duplicate || sack_ok_) return;
    const auto action = cc_.on_dup_ack(dupacks_, cfg_.dupack_threshold, snd_max_ - snd_una_, snd_una_, snd_max_);
    if (action == NewReno::Action::RetransmitFirst) {
      ++stats_.fast_retransmits;
      retransmit_first();
    }
    return;
  }

  const std::uint32_t acked = ack - snd_una_;
  const std::uint32_t flight = snd_max_ - snd_una_;
  const auto data_acked = static_cast<std::uint32_t>(std::min<std::size_t>(acked, snd_queue_.size()));
  snd_queue_.pop(data_acked);
  snd_una_ = ack;
  snd_nxt_ = seq_max(snd_nxt_, snd_una_);
  record(TcpWork::AckIn, data_acked, 2);

  const bool timed_acked = timed_seq_ && seq_gt(ack, *timed_seq_);
  if (ts_ok_ && seg.options.timestamps && seg.options.timestamps->echo_reply != 0) {
    rtt_.sample(static_cast<Nanos>(ts_now() - seg.options.timestamps->echo_reply) *
                (kNanosPerSecond / cfg_.timestamp_hz));
  } else if (timed_acked) {
    rtt_.sample(now_ - timed_at_);
  }
  if (timed_acked) timed_seq_.reset();
  rtt_.reset_backoff();

  if (sack_ok_) {
    const std::uint32_t prior_fackets = cc_.in_recovery() ? scoreboard_.fackets(snd_mss_) : 0;
    scoreboard_.advance(ack);
    if (!cc_.in_recovery()) {
      cc_.on_new_ack(ack, acked, flight);
    } else if (cc_.sack_recovery_over(ack)) {
      scoreboard_.end_recovery();
    } else if (scoreboard_.all_retransmissions_needless()) {
      // tcp_try_undo_partial: the hole filled with the delayed segments, not the retransmissions;
      // the rest are likely delayed too. The window comes back and the reordering is learnt.
      scoreboard_.saw_reordering(prior_fackets);
      cc_.undo();
    }
    sack_recovery();
  } else {
    const bool was_recovering = cc_.in_recovery();
    if (cc_.on_new_ack(ack, acked, flight) == NewReno::Action::RetransmitFirst && was_recovering)
      retransmit_first();
  }
  dupacks_ = 0;
  // RFC 6298 section 5.3: restart the timer when new data is acknowledged.
  retransmit_at_.reset();
  if (snd_max_ != snd_una_) reset_xmit_timer(retransmit_at_);

  if (!fin_acked()) return;
  switch (state_) {
    case State::FinWait1: state_ = State::FinWait2; break;
    case State::Closing: enter_time_wait(); break;
    case State::LastAck:
      state_ = State::Closed;
      retransmit_at_.reset();
      break;
    default: break;
  }
}

void Connection::process_data(const Segment& seg) {
  const std::uint8_t* data = seg.payload.data();
  std::uint32_t len = static_cast<std::uint32_t>(seg.payload.size());
  std::int64_t offset = static_cast<std::int64_t>(rcv_offset_) + seq_diff(seg.seq, rcv_nxt_);
  if (offset < static_cast<std::int64_t>(rcv_offset_)) {  // starts with bytes we already have
    const auto skip = static_cast<std::uint32_t>(static_cast<std::int64_t>(rcv_offset_) - offset);
    const std::uint32_t end = seg.seq + len;  // tcp_data_queue: a retransmission of what we hold
    set_dsack(seg.seq, seq_lt(end, rcv_nxt_) ? end : rcv_nxt_);
    if (skip >= len) {
      ++stats_.duplicate_segments_received;
      ack_now_ = true;
      return;
    }
    data += skip;
    len -= skip;
    offset = static_cast<std::int64_t>(rcv_offset_);
  }
  // Keep within what we offered and what the buffer holds.
  const std::uint32_t wnd = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  const std::uint64_t limit = rcv_offset_ + std::min<std::uint64_t>(wnd, rcv_queue_.free());
  const auto start = static_cast<std::uint64_t>(offset);
  if (start >= limit) {
    ++stats_.segments_beyond_window;
    ack_now_ = true;
    return;
  }
  len = static_cast<std::uint32_t>(std::min<std::uint64_t>(len, limit - start));

  if (start == rcv_offset_) {
    rcv_queue_.push(data, len);
    rcv_offset_ += len;
    rcv_nxt_ += len;
    record(TcpWork::DataInOrder, len, 2);
    bool filled_hole = false;
    if (!ooo_.empty()) {
      const std::vector<std::uint8_t> more = ooo_.take_from(rcv_offset_);
      if (!more.empty()) {
        rcv_queue_.push(more.data(), more.size());
        rcv_offset_ += more.size();
        rcv_nxt_ += static_cast<std::uint32_t>(more.size());
        filled_hole = true;
      }
    }
    const bool quick = delack_.on_data(now_, len, rcv_nxt_ - last_ack_sent_, receive_window());
    ack_now_ = ack_now_ || quick || filled_hole || !ooo_.empty();
    if (!ack_now_ && delack_.deadline()) ++stats_.delack_timer_sets;
  } else {
    if (ooo_.insert(start, data, len) == 0) set_dsack(seg.seq, seg.seq + len);
    last_ooo_offset_ = start;
    ++stats_.out_of_order_segments;
    record(TcpWork::DataOutOfOrder, len, 2);
    delack_.enter_quickack(receive_window());
    ack_now_ = true;  // the duplicate ACK that drives the sender's fast retransmit
  }
}

void Connection::set_dsack(std::uint32_t seq, std::uint32_t end) {
  if (sack_ok_ && cfg_.dsack && seq_lt(seq, end)) dsack_ = SackBlock{seq, end};
}

void Connection::sack_recovery() {
  // D-SACKs that came after the recovery ended can still show it needless (the Disorder state).
  if (!cc_.in_recovery() && scoreboard_.undo_possible() && scoreboard_.all_retransmissions_needless()) {
    cc_.undo();
    scoreboard_.forget_undo();
    ++stats_.recoveries_undone;
  }
  if (!cc_.in_recovery()) {
    if (scoreboard_.sacked_bytes() == 0) return;  // with nothing SACKed, neither rule holds
    // Trick 4 of tcp_time_to_recover asks whether anything new may go: unsent data and room.
    const bool can_send = seq_lt(snd_nxt_, data_end()) && send_room() >= mss_now();
    if (!scoreboard_.loss_indicated(snd_mss_, can_send)) return;
    cc_.enter_sack_recovery(snd_max_ - snd_una_, snd_max_);
    scoreboard_.begin_recovery();
    ++stats_.fast_retransmits;
    // RFC 6675 section 5 step (4.3): the first lost segment goes whatever the pipe.
    if (const auto r = scoreboard_.next_lost(snd_mss_, mss_now())) retransmit(r->start, r->end - r->start);
  }
  while (pipe() < cc_.cwnd()) {
    const auto r = scoreboard_.next_lost(snd_mss_, mss_now());
    if (!r) break;
    retransmit(r->start, r->end - r->start);
  }
}

void Connection::process_fin() {
  fin_received_ = true;
  rcv_nxt_ += 1;
  ack_now_ = true;
  switch (state_) {
    case State::SynReceived:
    case State::Established: state_ = State::CloseWait; break;
    case State::FinWait1:
      if (fin_acked()) {
        enter_time_wait();
      } else {
        state_ = State::Closing;
      }
      break;
    case State::FinWait2: enter_time_wait(); break;
    default: break;
  }
}

}  // namespace iscsim::stack::tcp
