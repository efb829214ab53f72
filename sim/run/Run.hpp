#pragma once
// One run: the initiator (of the architecture the scenario names) and its targets, their NICs,
// buses and wires, the connections between them and the workload, built from a scenario and run
// to completion.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/Scenario.hpp"
#include "sim/trace/ChromeTrace.hpp"
#include "sim/trace/PcapWriter.hpp"
#include "sim/world/SimgridClock.hpp"

namespace iscsim::run {

struct RunOptions {
  std::string params_dir;                 // models/params
  std::string pcap_path;                  // empty: no capture
  trace::PcapOptions pcap;                // snap length and time window of the capture
  std::string trace_path;                 // empty: no timeline trace
  std::optional<trace::TraceWindow> trace_window;  // empty: kDefaultTraceSeconds from the window's start
  std::vector<std::string> simgrid_args;  // --cfg=..., --log=...
  world::SimgridClock::ProgressHook progress;  // empty: none
  // Called just before SimGrid's engine is created, and once it exists (it installs its own
  // SIGINT handler as it starts): empty, none.
  std::function<void()> engine_starting;
  std::function<void()> engine_started;
};

// What a run produced: results.json without run_info, and how the engine was exercised.
struct RunOutcome {
  nlohmann::json results;
  world::ClockStats clock;
};

// Thrown for a scenario that is valid but asks for something this version cannot simulate.
class UnsupportedScenario : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The timeline trace keeps, by default, the first 20 ms of the measured window: every mechanism
// (interrupts, softirqs, thread runs, PPE iterations, the 10 ms timer tick) repeats many times in
// it, and the file stays at a few MB.
inline constexpr double kDefaultTraceSeconds = 0.02;

RunOutcome run_world(const scenario::Scenario& scenario, const RunOptions& options);

}  // namespace iscsim::run
