#pragma once
// A packet engine's run of empty polls, in closed form: polling from `idle_since` with one
// iteration every `period`, a change that becomes visible at `visible` is seen by the first
// iteration that starts at or after it. Stepping one poll at a time gives the same counts
// (tests compare both), so a run of a million empty polls costs one calendar event.
#include <algorithm>
#include <cstdint>

#include "models/common/Time.hpp"

namespace iscsim::host::amp {

using models::Picos;

struct PollRun {
  std::uint64_t empty_polls = 0;  // iterations that found nothing
  Picos seen_at = 0;              // start of the iteration that sees the change
};

inline PollRun poll_until(Picos idle_since, Picos period, Picos visible) {
  if (visible <= idle_since || period <= 0) return {0, std::max(idle_since, visible)};
  const auto n = static_cast<std::uint64_t>((visible - idle_since + period - 1) / period);
  return {n, idle_since + static_cast<Picos>(n) * period};
}

// The same, one iteration at a time: the reference the closed form is tested against.
inline PollRun poll_until_stepped(Picos idle_since, Picos period, Picos visible) {
  PollRun r{0, idle_since};
  if (period <= 0) return {0, std::max(idle_since, visible)};
  while (r.seen_at < visible) {
    r.seen_at += period;
    ++r.empty_polls;
  }
  return r;
}

// How many of the iterations starting at idle_since + i x period, i < `polls`, start in [from, to).
inline std::uint64_t polls_within(Picos idle_since, Picos period, std::uint64_t polls, Picos from, Picos to) {
  if (period <= 0 || to <= from) return 0;
  const auto first_at_or_after = [&](Picos t) -> std::uint64_t {
    if (t <= idle_since) return 0;
    return std::min<std::uint64_t>(polls, static_cast<std::uint64_t>((t - idle_since + period - 1) / period));
  };
  const std::uint64_t lo = first_at_or_after(from);
  const std::uint64_t hi = first_at_or_after(to);
  return hi > lo ? hi - lo : 0;
}

}  // namespace iscsim::host::amp
