#pragma once
// A spin lock's holds as the model books them. A piece's work is charged when it starts, so a hold
// late in one CPU's piece is booked before another CPU, whose work starts later, reaches the lock
// earlier in simulated time. The lock goes to whoever reaches it first: a CPU waits for a hold
// under way when it gets there, and a hold booked to begin later gives way, its CPU spinning for
// as long as the newcomer holds the lock. A piece an interrupt preempts takes its later holds
// with it until it resumes, and an interrupt waits for the end of a hold under way.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace iscsim::host::kernel {

class SpinLockHolds {
 public:
  struct Push {
    int cpu;
    double spin_s;  // how much longer that CPU's work takes
  };
  struct Taken {
    double at_s;              // when the lock is taken (>= the reach)
    std::vector<Push> pushed;  // CPUs whose booked holds gave way, at most one entry each
  };

  // Books the hold of `hold_s` seconds that `piece`, on `cpu`, wants at `reach_s` (`now_s` <=
  // `reach_s`: no CPU can want the lock before now, so holds ended by then are forgotten). A CPU
  // never waits for itself: its holds still booked are its own work's.
  Taken take(int cpu, std::uint64_t piece, double now_s, double reach_s, double hold_s) {
    // Every hold booked or moved ends after the now it was booked at, so none has ended since the
    // last prune unless time has moved on.
    if (now_s > pruned_at_s_) {
      holds_.erase(std::remove_if(holds_.begin(), holds_.end(), [now_s](const Hold& h) { return h.to <= now_s; }),
                   holds_.end());
      pruned_at_s_ = now_s;
    }
    Taken t{reach_s, {}};
    for (const Hold& h : holds_) {  // by start: the wait only moves later
      if (h.from > t.at_s) break;  // nor can any later one begin before it
      if (h.cpu != cpu && h.to > t.at_s) t.at_s = h.to;
    }
    if (hold_s <= 0) return t;  // blocks no one
    // The holds were settled, and the new one begins during none of another CPU's: only those
    // from it on can overlap.
    give_way_in_turn(t.pushed, insert({t.at_s, t.at_s + hold_s, cpu, piece}));
    return t;
  }

  // An interrupt preempts `piece` at `at_s`: the holds it booked to begin from then on wait with
  // it. (None comes during a hold: 2.4 holds io_request_lock with interrupts off; see held_until.)
  void suspend(std::uint64_t piece, double at_s) {
    Suspended s{piece, at_s, {}};
    holds_.erase(std::remove_if(holds_.begin(), holds_.end(),
                                [&](const Hold& h) {
                                  if (h.piece != piece || h.from < at_s) return false;
                                  s.holds.push_back(h);
                                  return true;
                                }),
                 holds_.end());
    if (!s.holds.empty()) suspended_.push_back(std::move(s));
  }

  // `piece` resumes at `now_s`: its suspended holds come back as far after now as they were after
  // the preemption and settle with the holds booked meanwhile. Returns the CPUs pushed, its own
  // included where its holds gave way.
  std::vector<Push> resume(std::uint64_t piece, double now_s) {
    std::vector<Push> pushed;
    const auto s = std::find_if(suspended_.begin(), suspended_.end(), [piece](const Suspended& x) { return x.piece == piece; });
    if (s == suspended_.end()) return pushed;
    const double by = now_s - s->at_s;
    for (const Hold& h : s->holds) insert({h.from + by, h.to + by, h.cpu, h.piece});
    suspended_.erase(s);
    give_way_in_turn(pushed, 0);
    return pushed;
  }

  // When the hold `piece` has under way at `now_s` ends, or `now_s` if it has none under way.
  double held_until(std::uint64_t piece, double now_s) const {
    for (const Hold& h : holds_)
      if (h.piece == piece && h.from <= now_s && h.to > now_s) return h.to;
    return now_s;
  }

  // Holds booked and not yet over, for tests: one CPU's (from, to) by start, and how many.
  std::vector<std::pair<double, double>> holds_of(int cpu) const {
    std::vector<std::pair<double, double>> out;
    for (const Hold& h : holds_)
      if (h.cpu == cpu) out.emplace_back(h.from, h.to);
    return out;
  }
  std::size_t booked() const { return holds_.size(); }

 private:
  struct Hold {
    double from;
    double to;
    int cpu;
    std::uint64_t piece;
  };
  struct Suspended {
    std::uint64_t piece;
    double at_s;
    std::vector<Hold> holds;
  };

  // Every hold that begins during another CPU's gives way to it, its CPU's later holds with it.
  // Holds move only later, so one pass in order of start settles them: a hold that gave way may
  // land on a third CPU's, which then gives way in turn (or it does). The holds before `first`
  // are settled among themselves and with the rest.
  void give_way_in_turn(std::vector<Push>& pushed, std::size_t first) {
    for (std::size_t i = first; i < holds_.size(); ++i)
      for (std::size_t j = i + 1; j < holds_.size() && holds_[j].from < holds_[i].to;) {
        if (holds_[j].cpu == holds_[i].cpu) {
          ++j;
          continue;
        }
        const Hold later = holds_[j];
        const double by = holds_[i].to - later.from;
        add_push(pushed, later.cpu, by);
        delay(later.cpu, later.from, by);  // leaves the holds up to i where they are
        j = i + 1;
      }
  }
  static void add_push(std::vector<Push>& pushed, int cpu, double spin_s) {
    for (Push& p : pushed)
      if (p.cpu == cpu) {
        p.spin_s += spin_s;
        return;
      }
    pushed.push_back({cpu, spin_s});
  }
  // `cpu`'s holds that begin from `from_s` on come `by_s` later: its work waits that long.
  void delay(int cpu, double from_s, double by_s) {
    std::vector<Hold> moved;
    holds_.erase(std::remove_if(holds_.begin(), holds_.end(),
                                [&](const Hold& h) {
                                  if (h.cpu != cpu || h.from < from_s) return false;
                                  moved.push_back({h.from + by_s, h.to + by_s, h.cpu, h.piece});
                                  return true;
                                }),
                 holds_.end());
    for (const Hold& h : moved) insert(h);
  }
  // Returns where it went.
  std::size_t insert(const Hold& h) {
    const auto at = holds_.insert(std::upper_bound(holds_.begin(), holds_.end(), h,
                                                   [](const Hold& a, const Hold& b) { return a.from < b.from; }),
                                  h);
    return static_cast<std::size_t>(at - holds_.begin());
  }

  std::vector<Hold> holds_;           // by start
  double pruned_at_s_ = -std::numeric_limits<double>::infinity();  // holds ended by then are gone
  std::vector<Suspended> suspended_;  // pieces preempted with holds to come
};

}  // namespace iscsim::host::kernel
