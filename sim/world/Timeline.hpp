#pragma once
// Where the simulated machines report what they do over time, for the timeline trace: slices of
// work on a CPU's track, point events (interrupts, IPIs, switches, migrations) and counters
// (queue depths, NIC rings). Components hold a Timeline* that is null when tracing is off, so
// tracing costs nothing then; the sink decides what it keeps (its time window).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "models/common/Time.hpp"

namespace iscsim::world {

using models::Picos;

// A track: thread `tid` (one CPU) of process `pid` (one machine).
struct TimelineTrack {
  int pid = 0;
  int tid = 0;
};

// One code path run within a piece of work: how often, and the cycles it cost.
struct SlicePart {
  std::string_view path;
  std::string_view bin;
  double calls = 0;
  double cycles = 0;
};

// A piece of work on a CPU from `start` to `end`. Work that is preempted shows as several pieces;
// each lists the paths charged since the piece before it (work charges its cost when it starts,
// so mostly the first), and all of them show the bins of all its paths.
struct WorkSlice {
  std::string_view name;  // what runs: "irq nic0", "softirq NET_RX", a thread, "ppe iteration"
  Picos start = 0;
  Picos end = 0;
  std::vector<SlicePart> parts{};
  std::size_t listed = 0;   // parts[0, listed) were listed by an earlier piece
  double clear_cycles = 0;  // pipeline refill after the event that started it (no path's)
  bool resumed = false;     // a piece after a preemption

  // Another `calls` calls of `path` costing `cycles`, merged with its calls not yet listed.
  void add(std::string_view path, std::string_view bin, double calls, double cycles) {
    for (std::size_t i = listed; i < parts.size(); ++i)
      if (parts[i].path == path) {
        parts[i].calls += calls;
        parts[i].cycles += cycles;
        return;
      }
    parts.push_back({path, bin, calls, cycles});
  }
  double part_cycles() const {
    double sum = 0;
    for (const SlicePart& p : parts) sum += p.cycles;
    return sum;
  }
  // After this piece has been reported: what follows is a later piece of the same work.
  void continued() {
    listed = parts.size();
    clear_cycles = 0;
    resumed = true;
  }
};

class Timeline {
 public:
  virtual ~Timeline() = default;
  // The track of `thread` in `process`; both are named on first use. An empty `thread`: the
  // process itself, where its counters go.
  virtual TimelineTrack track(const std::string& process, const std::string& thread) = 0;
  virtual void slice(TimelineTrack on, const WorkSlice& s) = 0;
  // A point event; `category` groups them: "interrupt", "ipi", "switch", "migration".
  virtual void instant(TimelineTrack on, Picos at, std::string_view name, std::string_view category) = 0;
  // Series `series` of counter `name` in `on`'s process holds `value` from `at` on.
  virtual void counter(TimelineTrack on, Picos at, std::string_view name, std::string_view series, double value) = 0;
};

}  // namespace iscsim::world
