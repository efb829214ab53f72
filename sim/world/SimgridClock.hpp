#pragma once
// Drives the calendar from a SimGrid actor: the S4U engine owns simulated time, and the calendar
// brings SimGrid's clock up to its own every few thousand events and at the end; the events in
// between need no other actor and run in process, so a run costs a SimGrid activity per sync
// point, not per event.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/world/Calendar.hpp"

namespace iscsim::world {

// The SimGrid platform built from the scenario (no XML): a host per CPU (speed = frequency, so
// one flop is one cycle), one per target, and a link per NIC wire.
struct PlatformSpec {
  std::vector<std::string> cpu_hosts;
  double cpu_hz = 0;
  std::vector<std::string> target_hosts;
  double target_hz = 0;
  double link_bytes_per_s = 0;
  double link_latency_s = 0;
};

struct ClockStats {
  std::uint64_t simgrid_activities = 0;  // sleeps the calendar actor asked SimGrid for (sync points)
  std::uint64_t events = 0;
  double end_time_s = 0;
};

class SimgridClock {
 public:
  // `simgrid_args` are passed to the S4U engine as its command line (--cfg=..., --log=...).
  SimgridClock(const PlatformSpec& platform, const std::vector<std::string>& simgrid_args);
  ~SimgridClock();
  SimgridClock(const SimgridClock&) = delete;
  SimgridClock& operator=(const SimgridClock&) = delete;

  // Called with the simulated time in seconds once the calendar actor runs (SimGrid's engine is
  // set up) and then at every sync point: for progress displays.
  using ProgressHook = std::function<void(double simulated_s)>;
  // Runs events until `done()` says so or the calendar passes `limit`.
  ClockStats run(Calendar& calendar, Picos limit, const std::function<bool()>& done,
                 const ProgressHook& progress = {});
  static std::string simgrid_version();

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace iscsim::world
