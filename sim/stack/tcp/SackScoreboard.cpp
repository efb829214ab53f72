#include "sim/stack/tcp/SackScoreboard.hpp"

#include <algorithm>
#include <limits>

#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {

SackScoreboard::SackScoreboard(std::uint32_t reordering, std::uint32_t max_reordering)
    : reordering_(reordering), initial_reordering_(reordering), max_reordering_(max_reordering) {}

void SackScoreboard::add(std::vector<Span>& spans, Span s) {
  // Few spans: merge in place, keeping them sorted and disjoint (adjacent ones join).
  auto it = std::find_if(spans.begin(), spans.end(), [&](const Span& x) { return x.to >= s.from; });
  while (it != spans.end() && it->from <= s.to) {
    s.from = std::min(s.from, it->from);
    s.to = std::max(s.to, it->to);
    s.nxt = std::max(s.nxt, it->nxt);
    it = spans.erase(it);
  }
  spans.insert(it, s);
}

bool SackScoreboard::covered(const std::vector<Span>& spans, std::uint32_t at, std::uint32_t* until) {
  for (const Span& x : spans) {
    if (at < x.from) {
      *until = x.from;
      return false;
    }
    if (at < x.to) {
      *until = x.to;
      return true;
    }
  }
  *until = std::numeric_limits<std::uint32_t>::max();
  return false;
}

bool SackScoreboard::on_blocks(const Options& options, std::uint32_t ack, std::uint32_t snd_una,
                               std::uint32_t snd_max, std::uint32_t mss) {
  advance(snd_una);
  if (options.sack_count == 0) return false;
  // RFC 2883 section 4: a first block below the cumulative ACK, or inside the second, reports a
  // duplicate. One that covers a retransmission of this recovery shows it needless (RFC 3708;
  // 2.4 also counts one of data it has forgotten whatever it reports, so a duplicate the
  // network made could undo a real loss's recovery).
  const SackBlock& first = options.sack[0];
  bool dsack = seq_lt(first.start, ack);
  if (!dsack && options.sack_count > 1)
    dsack = seq_geq(first.start, options.sack[1].start) && seq_leq(first.end, options.sack[1].end);
  if (dsack) {
    const auto hit = std::find_if(undo_ranges_.begin(), undo_ranges_.end(), [&](const Range& r) {
      return seq_lt(first.start, r.end) && seq_lt(r.start, first.end);
    });
    if (hit != undo_ranges_.end()) undo_ranges_.erase(hit);
  }

  const std::uint32_t prior_fack = fack();
  std::uint32_t top = 0;  // the highest byte these blocks SACK
  for (std::size_t i = dsack ? 1 : 0; i < options.sack_count; ++i) {
    const SackBlock& b = options.sack[i];
    const std::uint32_t start = seq_max(b.start, snd_una);
    const std::uint32_t end = seq_lt(b.end, snd_max) ? b.end : snd_max;
    if (!seq_lt(start, end)) continue;
    const Span span{offset(start), offset(end)};
    // A byte newly SACKed below the highest one SACKed before, never retransmitted, was in a
    // hole that later data passed: reordering, by as many segments as it was passed by.
    for (std::uint32_t at = span.from, until = 0; at < std::min(span.to, prior_fack); at = until) {
      if (covered(sacked_, at, &until) || covered(resent_, at, &until)) continue;
      // fackets_out + 1 - the 1-based place of the packet newly SACKed.
      saw_reordering(packets_below(prior_fack, mss) + 1 - packets_below(at + 1, mss));
      break;
    }
    add(sacked_, span);
    top = std::max(top, span.to);
  }
  // tcp_sacktag_write_queue's lost retransmits: data sent after a retransmission arrived first.
  resent_.erase(std::remove_if(resent_.begin(), resent_.end(), [&](const Span& x) { return top > x.nxt; }),
                resent_.end());
  return dsack;
}

void SackScoreboard::advance(std::uint32_t snd_una) {
  while (!ends_.empty() && seq_leq(ends_.front(), snd_una)) ends_.pop_front();
  if (sacked_.empty() && resent_.empty()) {
    base_ = snd_una;
    return;
  }
  if (!seq_gt(snd_una, base_)) return;
  const std::uint32_t delta = snd_una - base_;
  for (std::vector<Span>* spans : {&sacked_, &resent_}) {
    for (Span& x : *spans) {
      x.from = x.from > delta ? x.from - delta : 0;
      x.to = x.to > delta ? x.to - delta : 0;
      x.nxt = x.nxt > delta ? x.nxt - delta : 0;
    }
    spans->erase(std::remove_if(spans->begin(), spans->end(), [](const Span& x) { return x.to == 0; }),
                 spans->end());
  }
  base_ = snd_una;
}

void SackScoreboard::saw_reordering(std::uint32_t packets) {
  if (packets <= reordering_) return;
  reordering_ = std::min(max_reordering_, packets);
  fack_ = false;
}

void SackScoreboard::clear() {
  sacked_.clear();
  resent_.clear();
  undo_marker_.reset();
  undo_ranges_.clear();
  reordering_ = std::min(reordering_, initial_reordering_);
}

std::uint32_t SackScoreboard::sacked_bytes() const {
  std::uint32_t n = 0;
  for (const Span& x : sacked_) n += x.to - x.from;
  return n;
}

std::uint32_t SackScoreboard::packets_below(std::uint32_t at, std::uint32_t mss) const {
  if (at == 0) return 0;
  // The first packet begins at 0; each next one where the one before it ends.
  const auto ends_before = std::lower_bound(ends_.begin(), ends_.end(), at, [&](std::uint32_t end, std::uint32_t off) {
    return offset(end) < off;
  });
  const auto n = static_cast<std::uint32_t>(ends_before - ends_.begin());
  if (ends_before != ends_.end()) return n + 1;
  const std::uint32_t last = ends_.empty() ? 0 : offset(ends_.back());
  return n + (at - last + mss - 1) / mss;
}

std::uint32_t SackScoreboard::packet_end(std::uint32_t n, std::uint32_t mss) const {
  if (n <= ends_.size()) return offset(ends_[n - 1]);
  const std::uint32_t last = ends_.empty() ? 0 : offset(ends_.back());
  return last + (n - static_cast<std::uint32_t>(ends_.size())) * mss;
}

std::uint32_t SackScoreboard::sacked_packets() const {
  std::uint32_t n = 0, start = 0, until = 0;
  for (const std::uint32_t end : ends_) {
    if (covered(sacked_, start, &until) && until >= offset(end)) ++n;
    start = offset(end);
  }
  return n;
}

bool SackScoreboard::loss_indicated(std::uint32_t mss, bool can_send) const {
  if (fackets(mss) > reordering_) return true;
  const auto out = static_cast<std::uint32_t>(ends_.size());
  return !can_send && out <= reordering_ && sacked_packets() >= std::max(out / 2, initial_reordering_);
}

std::uint32_t SackScoreboard::lost_limit(std::uint32_t mss) const {
  // tcp_mark_head_lost: fackets_out - reordering packets from the head with FACK, the first
  // alone without, at least the first; none while nothing is SACKed (the marks come with SACKs).
  if (sacked_.empty()) return 0;
  const std::uint32_t fackets_out = fackets(mss);
  const std::uint32_t lost = fack_ && fackets_out > reordering_ + 1 ? fackets_out - reordering_ : 1;
  return packet_end(lost, mss);
}

std::optional<SackScoreboard::Span> SackScoreboard::lost_run(std::uint32_t at, std::uint32_t limit) const {
  for (std::uint32_t until = 0; at < limit; at = until) {
    std::uint32_t resent_until = 0;
    if (covered(sacked_, at, &until)) continue;
    if (covered(resent_, at, &resent_until)) {
      until = resent_until;
      continue;
    }
    return Span{at, std::min(until, resent_until)};
  }
  return std::nullopt;
}

std::uint32_t SackScoreboard::lost_bytes(std::uint32_t mss) const {
  std::uint32_t n = 0;
  const std::uint32_t limit = lost_limit(mss);
  for (auto run = lost_run(0, limit); run; run = lost_run(run->to, limit)) n += std::min(run->to, limit) - run->from;
  return n;
}

std::optional<SackScoreboard::Range> SackScoreboard::next_lost(std::uint32_t mss, std::uint32_t len) const {
  const auto run = lost_run(0, lost_limit(mss));
  if (!run) return std::nullopt;
  return Range{base_ + run->from, base_ + std::min(run->to, run->from + len)};
}

void SackScoreboard::begin_recovery() {
  undo_marker_ = base_;
  undo_ranges_.clear();
  resent_.clear();
}

void SackScoreboard::retransmitted(Range r, std::uint32_t snd_nxt) {
  add(resent_, Span{offset(r.start), offset(r.end), offset(snd_nxt)});
  if (undo_marker_) undo_ranges_.push_back(r);
}

}  // namespace iscsim::stack::tcp
