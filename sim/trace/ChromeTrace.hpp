#pragma once
// Writes the timeline in the Chrome trace-event format (a JSON object with "traceEvents") that
// Perfetto (ui.perfetto.dev) and chrome://tracing open: a process per machine, a thread per CPU,
// complete events ("X") for work with the paths it ran, instant events ("i") and counters ("C").
// Only the window [from, until) of simulated time is kept: slices are clipped to it, counters
// start it with the value they hold then and are written when they change. Events go to the
// file as they come, so memory stays bounded whatever the run's length.
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "sim/world/Timeline.hpp"

namespace iscsim::trace {

using models::Picos;

// The simulated time a trace keeps.
struct TraceWindow {
  Picos from = 0;
  Picos until = 0;
};

class ChromeTrace : public world::Timeline {
 public:
  // Opens `path` for writing; throws std::runtime_error when it cannot.
  ChromeTrace(const std::string& path, TraceWindow window);
  ChromeTrace(const ChromeTrace&) = delete;
  ChromeTrace& operator=(const ChromeTrace&) = delete;

  world::TimelineTrack track(const std::string& process, const std::string& thread) override;
  void slice(world::TimelineTrack on, const world::WorkSlice& s) override;
  void instant(world::TimelineTrack on, Picos at, std::string_view name, std::string_view category) override;
  void counter(world::TimelineTrack on, Picos at, std::string_view name, std::string_view series,
               double value) override;

  // Ends the document; throws std::runtime_error when the file could not be written whole.
  void close();
  std::uint64_t events_written() const { return written_; }

 private:
  struct Counter {
    double value = 0;
    bool written = false;  // `value` is in the file as the counter's latest sample
  };
  using CounterKey = std::tuple<int, std::string, std::string>;  // pid, name, series

  void write(const nlohmann::json& event);
  void write_counter(const CounterKey& key, Picos at, double value);
  // On the first counter change inside the window: every counter's value at its start.
  void open_counters();

  std::ofstream out_;
  std::string path_;
  TraceWindow window_;
  std::map<std::string, int> processes_;
  std::map<std::pair<int, std::string>, int> threads_;
  std::map<int, int> threads_in_process_;
  std::map<CounterKey, Counter> counters_;
  bool counters_open_ = false;
  Picos latest_ = 0;  // the latest time reported: the run reached it
  std::uint64_t written_ = 0;
  bool closed_ = false;
};

}  // namespace iscsim::trace
