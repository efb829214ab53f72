#pragma once
// A packet processing engine (paper section 3): a CPU that runs a poll loop forever, never
// yields and takes no device interrupt. Work becomes visible at known times (a descriptor's
// write-back, a host's doorbell); the next iteration of the loop sees it, handles everything
// visible then, and the engine is busy for that iteration's cycles. Empty iterations in between
// are idle time, counted in closed form (PollLoop.hpp). The local APIC timer may still tick.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "models/cpu/CpuCostModel.hpp"
#include "sim/host/CostedHost.hpp"
#include "sim/host/amp/PollLoop.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/Timeline.hpp"

namespace iscsim::host::amp {

struct PpeConfig {
  int cpu = 0;                        // its index in the cost model
  Picos poll_period = 0;              // one empty iteration of the loop
  double instr_per_empty_poll = 0;
  Picos tick_period = 0;              // local timer; 0: no tick
  models::PathId tick_entry = 0;      // what a tick runs: interrupt entry and exit,
  models::PathId tick_handler = 0;    // then the timer's own work
  models::PathId ipi_handler = 0;     // what an IPI runs after the same entry
  Picos sample_period = 0;            // a sampling profiler's NMI (host.profiler); 0: none
  Picos sample_phase = 0;             // when the first is due
  Picos window_start = 0;
  Picos window_end = 0;
};

class Ppe {
 public:
  // `iteration` handles everything visible now, charging through run(); called once per
  // productive iteration of the loop.
  Ppe(const PpeConfig& config, world::Calendar& calendar, models::CpuCostModel& cost,
      std::function<void(Ppe&)> iteration);

  // Something will be visible to the loop at `at` (now or later).
  void visible_at(Picos at);
  // Charges a path within the iteration now running.
  models::Cost run(models::PathId path, double calls, std::uint64_t bytes,
                   models::Touches touches = {});
  // Runs `effect` when the iteration now running has finished (a frame leaves for the NIC).
  void defer(std::function<void()> effect) { deferred_.push_back(std::move(effect)); }
  bool executing() const { return executing_; }
  int cpu() const { return config_.cpu; }

  // An inter-processor interrupt: it preempts the loop like a tick (2.4's reschedule_idle sends
  // one to a CPU whose thread it out-ranks; a polling engine never acts on it).
  void ipi();
  // Called at each of its timer ticks (the scheduler takes one from its thread's time slice).
  void on_tick(std::function<void()> f) { on_tick_ = std::move(f); }
  // Called at each sample the profiler takes on the engine (its daemon's buffer fills).
  void on_sample(std::function<void()> f) { on_sample_ = std::move(f); }
  // Empty polls (and their instructions) in the measured window, up to `now` if idle.
  double idle_instructions(Picos now) const;
  const CpuEvents& events() const { return events_; }
  std::uint64_t iterations() const { return iterations_; }
  // Reports its iterations and timer ticks to `timeline` on `track`.
  void trace_to(world::Timeline* timeline, world::TimelineTrack track) {
    timeline_ = timeline;
    track_ = track;
  }

 private:
  void schedule_notice();
  void notice(std::uint64_t generation);
  void account_polls(Picos until);
  void iterate();
  void begin_busy(Picos cycles_end);
  void complete(std::uint64_t generation);
  void tick();
  void profiler_sample();
  // Interrupt entry then `handler`, preempting the iteration running (its rest waits) or starting
  // a piece of its own; `name` and `category` for the timeline.
  void interrupt(models::PathId handler, const char* name, const char* category);
  // Timeline: ends the piece now running at `at`; what runs next starts there.
  void trace_piece(Picos at);

  PpeConfig config_;
  world::Calendar& calendar_;
  models::CpuCostModel& cost_;
  std::function<void(Ppe&)> iteration_;
  std::function<void()> on_tick_;
  std::function<void()> on_sample_;
  std::priority_queue<Picos, std::vector<Picos>, std::greater<>> visible_;
  std::vector<std::function<void()>> deferred_;
  bool busy_ = false;
  bool executing_ = false;
  double cycles_ = 0;  // of the iteration now starting
  Picos busy_end_ = 0;
  Picos idle_since_ = 0;
  std::uint64_t generation_ = 0;
  bool notice_scheduled_ = false;
  Picos notice_at_ = 0;
  std::uint64_t window_polls_ = 0;
  std::uint64_t iterations_ = 0;
  CpuEvents events_;
  world::Timeline* timeline_ = nullptr;
  world::TimelineTrack track_;
  world::WorkSlice slice_;  // tracing only: the iteration or tick now running
};

}  // namespace iscsim::host::amp
