// Segment output: what may be sent now (tcp_write_xmit), retransmissions, ACKs and the SYN.
#include <algorithm>

#include "sim/stack/tcp/Connection.hpp"
#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {

namespace {
// Objects building a data segment touches: the TCB, the send queue and the new socket buffer.
constexpr std::uint32_t kObjectsPerSegmentOut = 3;
constexpr std::uint32_t kObjectsPerPureAck = 2;
}  // namespace

std::vector<Segment> Connection::take_output() {
  output();
  arm_retransmit();
  std::vector<Segment> out;
  out.swap(out_);
  return out;
}

void Connection::recycle(std::vector<Segment>& sent) {
  // At most one take_output batch's worth of buffers is ever kept: each batch returns what it took.
  for (Segment& s : sent) {
    if (s.payload.capacity() == 0) continue;
    s.payload.clear();
    spare_payloads_.push_back(std::move(s.payload));
  }
  sent.clear();
  if (out_.empty()) out_.swap(sent);
}

void Connection::fill_payload(Segment& seg, std::uint32_t offset, std::uint32_t len) {
  if (!spare_payloads_.empty()) {
    seg.payload = std::move(spare_payloads_.back());
    spare_payloads_.pop_back();
  }
  for (const ByteSpan& piece : snd_queue_.view(offset, len))
    seg.payload.insert(seg.payload.end(), piece.data, piece.data + piece.len);
}

void Connection::output() {
  switch (state_) {
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      while (send_data_segment()) {
      }
      break;
    default:
      break;
  }
  const bool can_ack = state_ != State::Closed && state_ != State::Listen && state_ != State::SynSent;
  if (can_ack && (ack_now_ || window_update_)) send_pure_ack();
}

bool Connection::send_data_segment() {
  const std::uint32_t usable = send_room();
  const std::uint32_t flight = snd_nxt_ - snd_una_;
  const std::int32_t unsent_signed = seq_diff(data_end(), snd_nxt_);
  const std::uint32_t unsent = unsent_signed > 0 ? static_cast<std::uint32_t>(unsent_signed) : 0;

  if (unsent == 0) {
    if (!our_fin_ || snd_nxt_ != *our_fin_) return false;
    // A bare FIN goes regardless of the window (it carries no data).
    const bool again = seq_lt(snd_nxt_, snd_max_);
    if (again) ++stats_.retransmissions;
    emit(new_segment(snd_nxt_, flag::kAck | flag::kFin));
    snd_nxt_ += 1;
    snd_max_ = seq_max(snd_max_, snd_nxt_);
    return true;
  }

  const std::uint32_t mss = mss_now();
  const std::uint32_t len = std::min({mss, unsent, usable});
  if (len == 0) {
    if (snd_wnd_ == 0 && flight == 0 && !persist_at_) reset_xmit_timer(persist_at_);
    return false;
  }
  if (len < mss) {
    if (len < unsent) {
      // Sender silly-window avoidance (RFC 9293 section 3.8.6.2.1).
      if (flight > 0 && len < max_snd_wnd_ / 2) return false;
    } else if (!cfg_.nodelay && flight > 0) {
      return false;  // Nagle: one small segment outstanding at a time
    }
  }

  std::uint8_t flags = flag::kAck;
  if (len == unsent) flags |= flag::kPsh;
  if (our_fin_ && snd_nxt_ + len == *our_fin_) flags |= flag::kFin;
  Segment& seg = new_segment(snd_nxt_, flags);
  fill_payload(seg, snd_nxt_ - snd_una_, len);

  const bool again = seq_lt(snd_nxt_, snd_max_);
  if (again) {
    ++stats_.retransmissions;
    stats_.bytes_retransmitted += len;
  } else {
    ++stats_.data_segments_sent;
    stats_.bytes_sent += len;
    if (sack_ok_) scoreboard_.sent(snd_nxt_ + len);
    // Timed as well when timestamps are on: an echo of 0 (the jiffies clock still at 0) gives no
    // sample, and 2.4's tcp_ack_update_rtt then times the segment acked (tcp_ack_no_tstamp).
    if (!timed_seq_) {
      timed_seq_ = snd_nxt_;
      timed_at_ = now_;
    }
  }
  record(again ? TcpWork::Retransmit : TcpWork::SegmentOut, len, kObjectsPerSegmentOut);
  snd_nxt_ += seg.seq_len();
  snd_max_ = seq_max(snd_max_, snd_nxt_);
  emit(seg);
  return true;
}

void Connection::retransmit_first() { retransmit(snd_una_, mss_now()); }

void Connection::retransmit(std::uint32_t seq, std::uint32_t most) {
  const std::uint32_t end = our_fin_ ? *our_fin_ : data_end();
  if (!seq_leq(seq, end)) return;
  const std::uint32_t len = std::min(most, end - seq);
  std::uint8_t flags = flag::kAck;
  if (our_fin_ && seq + len == *our_fin_) flags |= flag::kFin;
  if (len == 0 && !(flags & flag::kFin)) return;
  Segment& seg = new_segment(seq, flags);
  fill_payload(seg, seq - snd_una_, len);
  if (sack_ok_) scoreboard_.retransmitted({seq, seq + std::max(len, 1u)}, snd_nxt_);
  ++stats_.retransmissions;
  stats_.bytes_retransmitted += len;
  timed_seq_.reset();
  record(TcpWork::Retransmit, len, kObjectsPerSegmentOut);
  emit(seg);
}

void Connection::send_pure_ack() {
  if (window_update_ && !ack_now_) ++stats_.window_updates_sent;
  ++stats_.acks_sent;
  record(TcpWork::PureAckOut, 0, kObjectsPerPureAck);
  emit(new_segment(snd_nxt_, flag::kAck));
}

void Connection::send_syn(bool with_ack) {
  if (snd_max_ != iss_) ++stats_.retransmissions;  // the SYN went out before
  Segment seg;
  seg.src_port = local_port_;
  seg.dst_port = remote_port_;
  seg.seq = iss_;
  seg.flags = flag::kSyn;
  seg.options.mss = static_cast<std::uint16_t>(cfg_.mtu_bytes - kIpv4TcpHeaderBytes);
  const bool offer_wscale = with_ack ? wscale_ok_ : cfg_.window_scaling;
  if (offer_wscale) seg.options.window_scale = rcv_wscale_;
  seg.options.sack_permitted = with_ack ? sack_ok_ : cfg_.sack;
  const bool offer_ts = with_ack ? ts_ok_ : cfg_.timestamps;
  if (offer_ts) seg.options.timestamps = Timestamps{ts_now(), with_ack ? ts_recent_ : 0};
  if (with_ack) {
    seg.flags |= flag::kAck;
    seg.ack = rcv_nxt_;
  }
  seg.window = window_field(true);
  if (!timed_seq_ && snd_max_ == iss_) {
    timed_seq_ = iss_;
    timed_at_ = now_;
  }
  snd_nxt_ = iss_ + 1;
  snd_max_ = seq_max(snd_max_, snd_nxt_);
  ++stats_.segments_sent;
  if (with_ack) {
    last_ack_sent_ = seg.ack;
    rcv_adv_ = seq_max(rcv_adv_, rcv_nxt_ + seg.window);  // a SYN's window is never scaled
  }
  out_.push_back(std::move(seg));
  if (!retransmit_at_) reset_xmit_timer(retransmit_at_);
}

Segment& Connection::new_segment(std::uint32_t seq, std::uint8_t flags) {
  // Built where it is queued: a segment built elsewhere and moved in is read back wide right
  // after its fields were written narrow, which stalls store forwarding.
  Segment& seg = out_.emplace_back();
  seg.src_port = local_port_;
  seg.dst_port = remote_port_;
  seg.seq = seq;
  seg.flags = flags;
  if (flags & flag::kAck) seg.ack = rcv_nxt_;
  seg.window = window_field(false);
  if (ts_ok_) seg.options.timestamps = Timestamps{ts_now(), ts_recent_};
  if (flags & flag::kAck) fill_sack(seg.options);
  return seg;
}

std::uint32_t Connection::send_room() const {
  // The congestion window limits what is in the network (with SACK, the pipe); the peer's window
  // limits how far past snd_una we may send, whatever it has SACKed.
  const std::uint32_t out = snd_nxt_ - snd_una_;
  const std::uint32_t in_network = sack_ok_ ? pipe() : out;
  const std::uint32_t cwnd_room = cc_.cwnd() > in_network ? cc_.cwnd() - in_network : 0;
  const std::uint32_t peer_room = snd_wnd_ > out ? snd_wnd_ - out : 0;
  return std::min(cwnd_room, peer_room);
}

std::uint32_t Connection::pipe() const {
  const std::uint32_t out = snd_nxt_ - snd_una_;
  const std::uint32_t lost = cc_.in_recovery() ? scoreboard_.lost_bytes(snd_mss_) : 0;
  const std::uint32_t gone = scoreboard_.sacked_bytes() + lost;
  return out > gone ? out - gone : 0;
}

bool Connection::sacks_to_send() const { return sack_ok_ && (dsack_ || !ooo_.empty()); }

std::size_t Connection::sack_blocks_room() const { return ts_ok_ ? kMaxSackBlocks - 1 : kMaxSackBlocks; }

void Connection::fill_sack(Options& options) {
  options.sack_count = 0;
  if (!sacks_to_send()) return;
  // tcp_build_and_update_options: a D-SACK, then the block of the latest arrival, then the
  // others, highest first; as many as fit beside the timestamps.
  const std::size_t most = sack_blocks_room();
  std::uint8_t n = 0;
  if (dsack_) options.sack[n++] = *dsack_;
  sack_runs_.clear();
  ooo_.for_each_run([&](std::uint64_t start, std::uint64_t end) {
    const SackBlock b{rcv_nxt_ + static_cast<std::uint32_t>(start - rcv_offset_),
                      rcv_nxt_ + static_cast<std::uint32_t>(end - rcv_offset_)};
    if (start <= last_ooo_offset_ && last_ooo_offset_ < end) {
      if (n < most) options.sack[n++] = b;
    } else {
      sack_runs_.push_back(b);
    }
  });
  for (auto it = sack_runs_.rbegin(); it != sack_runs_.rend() && n < most; ++it) options.sack[n++] = *it;
  options.sack_count = n;
}

std::uint32_t Connection::sack_option_bytes() const {
  if (!sacks_to_send()) return 0;
  std::size_t blocks = dsack_ ? 1 : 0;
  ooo_.for_each_run([&](std::uint64_t, std::uint64_t) { ++blocks; });
  blocks = std::min(blocks, sack_blocks_room());
  return static_cast<std::uint32_t>(kSackOptionBaseBytes + kSackBlockBytes * blocks);
}

void Connection::emit(const Segment& seg) {
  ++stats_.segments_sent;
  if (seg.has(flag::kAck)) note_ack_sent(seg);
}

void Connection::note_ack_sent(const Segment& seg) {
  last_ack_sent_ = seg.ack;
  const std::uint8_t shift = wscale_ok_ ? rcv_wscale_ : 0;
  rcv_adv_ = seq_max(rcv_adv_, rcv_nxt_ + (static_cast<std::uint32_t>(seg.window) << shift));
  ack_now_ = false;
  window_update_ = false;
  dsack_.reset();  // reported once
  delack_.on_ack_sent();
}

}  // namespace iscsim::stack::tcp
