#include "sim/stack/tcp/Connection.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {

namespace {

constexpr std::uint32_t kMaxWindowField = 65535;   // 16-bit window field

// Largest window the receive buffer can offer (tcp_win_from_space).
std::uint32_t window_from_space(std::uint32_t space, std::uint32_t adv_win_scale) {
  return space - (space >> adv_win_scale);
}

std::uint8_t window_shift_for(std::uint32_t max_window) {
  std::uint8_t shift = 0;
  while ((max_window >> shift) > kMaxWindowField && shift < kMaxWindowShift) ++shift;
  return shift;
}

}  // namespace

Connection::Connection(const Config& config, std::uint16_t local_port, std::uint16_t remote_port, std::uint32_t iss,
                       Meter* meter)
    : cfg_(config),
      local_port_(local_port),
      remote_port_(remote_port),
      meter_(meter),
      iss_(iss),
      snd_una_(iss),
      snd_nxt_(iss),
      snd_max_(iss),
      snd_mss_(config.mtu_bytes - kIpv4TcpHeaderBytes),
      snd_queue_(config.send_buffer_bytes),
      cc_(snd_mss_, config.initial_cwnd_segments),
      scoreboard_(config.dupack_threshold, config.max_reordering),
      rtt_(config.rto_initial, config.rto_min, config.rto_max),
      rcv_wscale_(config.window_scaling
                      ? window_shift_for(window_from_space(config.receive_buffer_bytes, config.adv_win_scale))
                      : 0),
      rcv_queue_(config.receive_buffer_bytes),
      delack_(config.delayed_ack, config.delack_min, config.delack_max, config.max_quickacks) {}

void Connection::connect(Nanos now) {
  if (state_ != State::Closed) return;
  now_ = now;
  state_ = State::SynSent;
  send_syn(false);
}

void Connection::listen() {
  if (state_ == State::Closed) state_ = State::Listen;
}

void Connection::close(Nanos now) {
  now_ = now;
  switch (state_) {
    case State::Listen:
    case State::SynSent:
      state_ = State::Closed;
      retransmit_at_.reset();
      break;
    case State::SynReceived:
    case State::Established:
      our_fin_ = data_end();
      state_ = State::FinWait1;
      break;
    case State::CloseWait:
      our_fin_ = data_end();
      state_ = State::LastAck;
      break;
    default:
      break;
  }
}

void Connection::abort(Nanos now) {
  now_ = now;
  if (state_ != State::Closed && state_ != State::Listen && state_ != State::SynSent)
    emit(new_segment(snd_nxt_, flag::kRst));
  state_ = State::Closed;
  retransmit_at_.reset();
  persist_at_.reset();
  time_wait_at_.reset();
}

bool Connection::fin_acked() const { return our_fin_ && seq_gt(snd_una_, *our_fin_); }

std::size_t Connection::send(Nanos now, const std::uint8_t* data, std::size_t len) {
  now_ = now;
  if (send_space() == 0) return 0;
  const std::size_t n = snd_queue_.push(data, len);
  record(TcpWork::AppWrite, static_cast<std::uint32_t>(n), 1);
  return n;
}

std::size_t Connection::send_space() const {
  const bool open = state_ == State::Established || state_ == State::CloseWait;
  return open && !our_fin_ ? snd_queue_.free() : 0;
}

std::size_t Connection::read(Nanos now, std::uint8_t* dst, std::size_t max) {
  std::size_t n = 0;
  for (const ByteSpan& piece : read_in_place(now, max)) {
    if (piece.len > 0) std::memcpy(dst + n, piece.data, piece.len);
    n += piece.len;
  }
  return n;
}

ByteSpans Connection::read_in_place(Nanos now, std::size_t max) {
  now_ = now;
  const std::size_t n = std::min(max, rcv_queue_.size());
  const std::uint32_t before = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  const ByteSpans pieces = rcv_queue_.view(0, n);
  rcv_queue_.pop(n);
  stats_.bytes_delivered += n;
  record(TcpWork::AppRead, static_cast<std::uint32_t>(n), 1);
  // __tcp_cleanup_rbuf: tell the sender when reading at least doubled the window it knows.
  const std::uint32_t after = receive_window();
  if (n > 0 && after >= 2 * before && after - before >= delack_.rcv_mss() && state_ != State::Closed)
    window_update_ = true;
  return pieces;
}

std::optional<Nanos> Connection::next_timeout() const {
  std::optional<Nanos> t;
  for (const auto& d : {retransmit_at_, persist_at_, delack_.deadline(), time_wait_at_})
    if (d && (!t || *d < *t)) t = d;
  return t;
}

void Connection::on_timer(Nanos now) {
  now_ = now;
  if (time_wait_at_ && *time_wait_at_ <= now) {
    time_wait_at_.reset();
    state_ = State::Closed;
    record(TcpWork::TimerExpiry, 0, 1);
    return;
  }
  if (retransmit_at_ && *retransmit_at_ <= now) {
    retransmit_at_.reset();
    record(TcpWork::TimerExpiry, 0, 1);
    on_retransmit_timeout();
  }
  if (persist_at_ && *persist_at_ <= now) {
    persist_at_.reset();
    record(TcpWork::TimerExpiry, 0, 1);
    on_persist_timeout();
  }
  if (delack_.deadline() && *delack_.deadline() <= now) {
    delack_.on_timer();
    record(TcpWork::TimerExpiry, 0, 1);
    if (state_ != State::Closed) {
      ack_now_ = true;
      ++stats_.delayed_acks_sent;
    }
  }
}

void Connection::on_retransmit_timeout() {
  if (snd_max_ == snd_una_) return;
  if (rtt_.backoffs() >= cfg_.max_backoffs) {  // the peer is gone (ETIMEDOUT)
    state_ = State::Closed;
    persist_at_.reset();
    return;
  }
  ++stats_.timeouts;
  rtt_.back_off();
  timed_seq_.reset();  // Karn: no RTT sample from a retransmitted segment
  if (state_ == State::SynSent || state_ == State::SynReceived) {
    send_syn(state_ == State::SynReceived);
  } else {
    // Go back to the first unacknowledged byte and resend from there as the window allows.
    cc_.on_timeout(snd_max_ - snd_una_, snd_max_);
    scoreboard_.clear();
    dupacks_ = 0;
    snd_nxt_ = snd_una_;
  }
  reset_xmit_timer(retransmit_at_);
}

void Connection::on_persist_timeout() {
  if (snd_wnd_ > 0 || snd_max_ != snd_una_) return;
  // tcp_write_wakeup: an old sequence number makes the peer answer with its current window.
  ++stats_.zero_window_probes;
  rtt_.back_off();
  emit(new_segment(snd_una_ - 1, flag::kAck));
  reset_xmit_timer(persist_at_);
}

void Connection::enter_time_wait() {
  state_ = State::TimeWait;
  retransmit_at_.reset();
  persist_at_.reset();
  time_wait_at_ = now_ + cfg_.time_wait;
}

void Connection::arm_retransmit() {
  const bool has_timer = state_ != State::Closed && state_ != State::Listen && state_ != State::TimeWait;
  if (!has_timer || snd_max_ == snd_una_) {
    retransmit_at_.reset();
  } else if (!retransmit_at_) {
    reset_xmit_timer(retransmit_at_);
  }
  if (snd_wnd_ > 0) persist_at_.reset();
}

void Connection::reset_xmit_timer(std::optional<Nanos>& timer) {
  timer = now_ + rtt_.rto();
  ++stats_.retransmit_timer_sets;
}

void Connection::record(TcpWork work, std::uint32_t bytes, std::uint32_t objects) {
  if (meter_ != nullptr) meter_->record(work, bytes, objects);
}

std::uint32_t Connection::ts_now() const {
  return static_cast<std::uint32_t>(now_ / (kNanosPerSecond / cfg_.timestamp_hz));
}

std::uint32_t Connection::receive_window() const {
  const auto free = static_cast<std::uint32_t>(rcv_queue_.free());
  const std::uint8_t shift = wscale_ok_ ? rcv_wscale_ : 0;
  std::uint32_t w = window_from_space(free, cfg_.adv_win_scale);
  w = (w >> shift) << shift;
  // RFC 9293 section 3.8.6.2.2: never shrink a window already offered.
  const std::uint32_t offered = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
  return std::max(w, offered);
}

std::uint16_t Connection::window_field(bool syn) const {
  const std::uint32_t w = receive_window();
  const std::uint8_t shift = (syn || !wscale_ok_) ? 0 : rcv_wscale_;
  return static_cast<std::uint16_t>(std::min<std::uint32_t>(w >> shift, kMaxWindowField));
}

}  // namespace iscsim::stack::tcp
