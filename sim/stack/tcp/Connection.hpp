#pragma once
// One TCP connection as a sans-IO state machine (RFC 9293 with Linux 2.4's choices): segments
// and application calls go in with the current time; segments to send come out of
// take_output(), and next_timeout() says when on_timer() must be called next.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stack/common/Time.hpp"
#include "sim/stack/tcp/ByteRing.hpp"
#include "sim/stack/tcp/Config.hpp"
#include "sim/stack/tcp/DelayedAck.hpp"
#include "sim/stack/tcp/Meter.hpp"
#include "sim/stack/tcp/NewReno.hpp"
#include "sim/stack/tcp/Reassembly.hpp"
#include "sim/stack/tcp/RttEstimator.hpp"
#include "sim/stack/tcp/SackScoreboard.hpp"
#include "sim/stack/tcp/Segment.hpp"
#include "sim/stack/tcp/State.hpp"
#include "sim/stack/tcp/Stats.hpp"

namespace iscsim::stack::tcp {

class Connection {
 public:
  Connection(const Config& config, std::uint16_t local_port, std::uint16_t remote_port, std::uint32_t iss,
             Meter* meter = nullptr);

  // Opening and closing.
  void connect(Nanos now);
  void listen();
  void close(Nanos now);  // no more data from us: FIN after what is queued
  void abort(Nanos now);  // RST and forget

  // Events.
  void on_segment(Nanos now, const Segment& seg);
  void on_timer(Nanos now);
  std::optional<Nanos> next_timeout() const;

  // The application side: send() queues what fits in the send buffer and returns how much.
  std::size_t send(Nanos now, const std::uint8_t* data, std::size_t len);
  std::size_t send_space() const;
  std::size_t readable() const { return rcv_queue_.size(); }
  std::size_t read(Nanos now, std::uint8_t* dst, std::size_t max);
  // read() without the copy: the bytes read, lent where they lie in the receive queue and valid
  // until the next segment arrives.
  ByteSpans read_in_place(Nanos now, std::size_t max);

  // Segments to put on the wire, in order. Builds data segments and pending ACKs now, so that
  // everything the last events allowed leaves as one batch.
  std::vector<Segment> take_output();
  // Hands back what take_output gave once it is on the wire: the segments' buffers serve the
  // next ones (no allocation per segment in steady state). Leaves `sent` empty.
  void recycle(std::vector<Segment>& sent);

  State state() const { return state_; }
  const Stats& stats() const { return stats_; }
  // Payload bytes per segment we send (MSS less the timestamp option).
  std::uint32_t mss() const { return snd_mss_; }
  std::uint32_t cwnd() const { return cc_.cwnd(); }
  std::uint32_t send_window() const { return snd_wnd_; }
  std::uint32_t bytes_in_flight() const { return snd_max_ - snd_una_; }
  const RttEstimator& rtt() const { return rtt_; }
  // When the retransmit (or zero-window probe) timer and the delayed-ACK timer fire, if set.
  std::optional<Nanos> retransmit_deadline() const { return retransmit_at_ ? retransmit_at_ : persist_at_; }
  std::optional<Nanos> delack_deadline() const { return delack_.deadline(); }
  // The peer's FIN has been read past: no more data will arrive.
  bool peer_closed() const { return fin_received_; }
  // Our FIN has been acknowledged.
  bool fin_acked() const;

 private:
  // Input (ConnectionInput.cpp).
  void on_segment_listen(const Segment& seg);
  void on_segment_syn_sent(const Segment& seg);
  bool acceptable(const Segment& seg) const;
  void process_ack(const Segment& seg);
  void process_data(const Segment& seg);
  void process_fin();
  void update_timestamps(const Segment& seg);
  void learn_peer_options(const Segment& seg);
  // SACK-based loss recovery after an ACK (Linux 2.4's tcp_fastretrans_alert with SACK).
  void sack_recovery();
  // RFC 2883: the next segment reports [seq, end) as received twice.
  void set_dsack(std::uint32_t seq, std::uint32_t end);

  // Output (ConnectionOutput.cpp).
  void output();
  bool send_data_segment();
  void send_pure_ack();
  void send_syn(bool with_ack);
  void retransmit_first();
  // Sends again at most `most` bytes from `seq` (up to the FIN, which it carries if it reaches it).
  void retransmit(std::uint32_t seq, std::uint32_t most);
  // Bytes in the network as RFC 6675 counts them: sent, not SACKed, not counted lost.
  std::uint32_t pipe() const;
  // New bytes the congestion window and the peer's window let us send now.
  std::uint32_t send_room() const;
  // The SACK blocks our segments carry now (a D-SACK first), and the payload left beside them.
  void fill_sack(Options& options);
  std::uint32_t sack_option_bytes() const;
  bool sacks_to_send() const;           // a D-SACK pending or data held out of order
  std::size_t sack_blocks_room() const;  // blocks the option holds beside the timestamps
  std::uint32_t mss_now() const { return snd_mss_ - sack_option_bytes(); }
  // Copies len send-queue bytes from offset into a segment's payload, in a spare buffer if any.
  void fill_payload(Segment& seg, std::uint32_t offset, std::uint32_t len);
  // A segment queued for output, its header fields set; emit() once it is complete.
  Segment& new_segment(std::uint32_t seq, std::uint8_t flags);
  std::uint16_t window_field(bool syn) const;
  std::uint32_t receive_window() const;
  void note_ack_sent(const Segment& seg);
  void emit(const Segment& seg);

  // Timers (Connection.cpp).
  void arm_retransmit();
  void on_retransmit_timeout();
  void on_persist_timeout();
  void enter_time_wait();
  // tcp_reset_xmit_timer: `timer` (the retransmit timer, or the zero-window probe's: one
  // timer_list in Linux) fires one RTO from now; a mod_timer, counted in the stats.
  void reset_xmit_timer(std::optional<Nanos>& timer);
  void record(TcpWork work, std::uint32_t bytes, std::uint32_t objects);

  std::uint32_t data_end() const { return snd_una_ + static_cast<std::uint32_t>(snd_queue_.size()); }
  std::uint32_t ts_now() const;

  Config cfg_;
  std::uint16_t local_port_;
  std::uint16_t remote_port_;
  Meter* meter_;
  State state_ = State::Closed;
  Nanos now_ = 0;
  Stats stats_;

  // Send side (RFC 9293 names).
  std::uint32_t iss_;
  std::uint32_t snd_una_;
  std::uint32_t snd_nxt_;
  std::uint32_t snd_max_;  // highest sequence sent + 1 (snd_nxt falls back below it after a timeout)
  std::uint32_t snd_wnd_ = 0;
  std::uint32_t snd_wl1_ = 0;
  std::uint32_t snd_wl2_ = 0;
  std::uint32_t max_snd_wnd_ = 0;
  std::uint32_t snd_mss_;
  std::uint8_t snd_wscale_ = 0;
  ByteRing snd_queue_;  // unacknowledged and unsent bytes, from snd_una
  std::optional<std::uint32_t> our_fin_;  // sequence number of our FIN, once close() was called
  std::uint32_t dupacks_ = 0;
  NewReno cc_;
  SackScoreboard scoreboard_;
  RttEstimator rtt_;
  // Karn: the segment being timed (with timestamps too, for an echo of 0)
  std::optional<std::uint32_t> timed_seq_;
  Nanos timed_at_ = 0;
  std::optional<Nanos> retransmit_at_;
  std::optional<Nanos> persist_at_;
  std::optional<Nanos> time_wait_at_;

  // Receive side.
  std::uint32_t irs_ = 0;
  std::uint32_t rcv_nxt_ = 0;
  std::uint32_t rcv_adv_ = 0;  // right edge of the window last advertised
  std::uint32_t last_ack_sent_ = 0;
  std::uint64_t rcv_offset_ = 0;  // stream offset of rcv_nxt (64-bit, for the reassembly queue)
  std::uint8_t rcv_wscale_ = 0;
  ByteRing rcv_queue_;
  Reassembly ooo_;
  std::optional<std::uint32_t> peer_fin_;  // sequence number of the peer's FIN, once seen
  bool fin_received_ = false;
  DelayedAck delack_;
  bool ack_now_ = false;
  bool window_update_ = false;
  std::optional<SackBlock> dsack_;   // a duplicate to report on the next segment
  std::uint64_t last_ooo_offset_ = 0;  // the latest out-of-order arrival: its block goes first
  std::vector<SackBlock> sack_runs_;   // fill_sack's scratch, its capacity kept

  // Options in force.
  bool ts_ok_ = false;
  bool wscale_ok_ = false;
  bool sack_ok_ = false;
  std::uint32_t ts_recent_ = 0;

  std::vector<Segment> out_;
  std::vector<std::vector<std::uint8_t>> spare_payloads_;  // emptied, their capacity kept
};

}  // namespace iscsim::stack::tcp
