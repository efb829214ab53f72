#pragma once
// The sender's SACK scoreboard as Linux 2.4 keeps it (tcp_input.c): which bytes above snd_una the
// peer's SACK blocks say it holds (RFC 2018), which it counts lost (FACK: whatever lies more than
// `reordering` packets below the highest SACKed byte; once reordering is seen, FACK is off and
// only the first packet is), the reordering it has seen, and which of a recovery's
// retransmissions no D-SACK (RFC 2883) has yet shown to be needless.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "sim/stack/tcp/Segment.hpp"

namespace iscsim::stack::tcp {

class SackScoreboard {
 public:
  // Bytes [start, end) in sequence space.
  struct Range {
    std::uint32_t start = 0;
    std::uint32_t end = 0;
  };

  // `reordering`: the packets that may arrive out of order before a hole counts as lost
  // (sysctl tcp_reordering); it grows, up to `max_reordering`, with the reordering seen.
  SackScoreboard(std::uint32_t reordering, std::uint32_t max_reordering);

  // The SACK blocks of an ACK of `ack`, which arrived with `snd_una` not yet moved by it and
  // `snd_max` the highest sequence sent. Returns whether the first block was a D-SACK.
  bool on_blocks(const Options& options, std::uint32_t ack, std::uint32_t snd_una, std::uint32_t snd_max,
                 std::uint32_t mss);
  // A segment of new data left, ending at `end`: 2.4 counts its retransmit queue in packets, a
  // 48-byte command as one as much as a full segment.
  void sent(std::uint32_t end) { ends_.push_back(end); }
  // The cumulative ACK moved snd_una to `snd_una`: forget what lies below it.
  void advance(std::uint32_t snd_una);
  // A retransmission timeout: the peer may have dropped what it SACKed (RFC 2018 section 8),
  // and the reordering learnt falls back to the initial count (tcp_enter_loss).
  void clear();

  std::uint32_t sacked_bytes() const;
  // Whether to begin a recovery (tcp_time_to_recover): the SACKed data reach more than
  // `reordering` packets past snd_una; or, with no more than `reordering` packets out and
  // nothing new to send, half of them or the initial count are SACKed.
  bool loss_indicated(std::uint32_t mss, bool can_send = true) const;
  // Bytes counted lost and not yet retransmitted in this recovery.
  std::uint32_t lost_bytes(std::uint32_t mss) const;
  // The next of them to retransmit, at most `len` bytes (tcp_xmit_retransmit_queue's order).
  std::optional<Range> next_lost(std::uint32_t mss, std::uint32_t len) const;

  // Recovery begins at snd_una (the undo marker); `r` was retransmitted in it when `snd_nxt` was the next new byte: a SACK of data beyond it, sent after the
  // retransmission, shows the retransmission lost (the 2.4 check borrowed from rate-halving).
  void begin_recovery();
  void retransmitted(Range r, std::uint32_t snd_nxt);
  // Every retransmission of the recovery since its start was D-SACKed: the losses were
  // reordering (tcp_may_undo), and the window's cut can be undone.
  bool all_retransmissions_needless() const { return undo_marker_ && undo_ranges_.empty(); }
  // Retransmissions some D-SACK may still show needless (Linux's Disorder state).
  bool undo_possible() const { return undo_marker_.has_value(); }
  void forget_undo() { undo_marker_.reset(); }
  void end_recovery() { resent_.clear(); }

  std::uint32_t reordering() const { return reordering_; }
  // Packets from snd_una to the highest SACKed byte (fackets_out).
  std::uint32_t fackets(std::uint32_t mss) const { return packets_below(fack(), mss); }
  // Reordering of `packets` was seen (tcp_update_reordering): the count rises to it, and FACK's
  // loss marking, which would count reordered packets lost, is switched off.
  void saw_reordering(std::uint32_t packets);

 private:
  // Ranges as offsets from base_ (snd_una), sorted and disjoint.
  struct Span {
    std::uint32_t from = 0;
    std::uint32_t to = 0;
    std::uint32_t nxt = 0;  // a retransmission's: snd_nxt when it left
  };
  static void add(std::vector<Span>& spans, Span s);
  static bool covered(const std::vector<Span>& spans, std::uint32_t at, std::uint32_t* until);
  std::uint32_t fack() const { return sacked_.empty() ? 0 : sacked_.back().to; }
  // The first run of bytes from `at` neither SACKed nor resent, if it begins below `limit`.
  std::optional<Span> lost_run(std::uint32_t at, std::uint32_t limit) const;
  // The offset below which a byte not SACKed is lost.
  std::uint32_t lost_limit(std::uint32_t mss) const;

  std::uint32_t offset(std::uint32_t seq) const { return seq - base_; }
  // Packets that begin below `at` (an offset), and the offset where the `n`th one ends; by MSS
  // where no segment was recorded (a SYN's, a FIN's, beyond what was sent).
  std::uint32_t packets_below(std::uint32_t at, std::uint32_t mss) const;
  std::uint32_t packet_end(std::uint32_t n, std::uint32_t mss) const;
  std::uint32_t sacked_packets() const;

  std::uint32_t base_ = 0;  // snd_una as last seen
  std::vector<Span> sacked_;
  std::vector<Span> resent_;
  std::deque<std::uint32_t> ends_;  // each segment sent and not yet acknowledged: its end
  std::uint32_t reordering_;
  std::uint32_t initial_reordering_;
  std::uint32_t max_reordering_;
  bool fack_ = true;
  std::optional<std::uint32_t> undo_marker_;  // snd_una when the recovery began
  // The recovery's retransmissions no D-SACK has reported yet (2.4's undo_retrans counts them).
  std::vector<Range> undo_ranges_;
};

}  // namespace iscsim::stack::tcp
