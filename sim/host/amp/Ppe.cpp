#include "sim/host/amp/Ppe.hpp"

#include <cmath>

namespace iscsim::host::amp {

namespace {
Picos picos_of(double cycles, double hz) {
  return models::picos_from_cycles(cycles, hz);
}
}  // namespace

Ppe::Ppe(const PpeConfig& config, world::Calendar& calendar, models::CpuCostModel& cost,
         std::function<void(Ppe&)> iteration)
    : config_(config), calendar_(calendar), cost_(cost), iteration_(std::move(iteration)) {
  if (config_.tick_period > 0) calendar_.schedule(config_.tick_period, [this] { tick(); });
  if (config_.sample_period > 0) calendar_.schedule(config_.sample_phase, [this] { profiler_sample(); });
}

void Ppe::visible_at(Picos at) {
  visible_.push(at);
  if (!busy_) schedule_notice();
}

void Ppe::schedule_notice() {
  if (visible_.empty()) return;
  const Picos seen = poll_until(idle_since_, config_.poll_period, std::max(visible_.top(), calendar_.now())).seen_at;
  if (notice_scheduled_ && notice_at_ <= seen) return;
  notice_scheduled_ = true;
  notice_at_ = seen;
  const std::uint64_t gen = generation_;
  calendar_.schedule(seen, [this, gen] { notice(gen); });
}

void Ppe::notice(std::uint64_t generation) {
  if (busy_ || generation != generation_ || calendar_.now() != notice_at_) return;  // superseded
  notice_scheduled_ = false;
  account_polls(calendar_.now());
  iterate();
}

void Ppe::account_polls(Picos until) {
  const PollRun run = poll_until(idle_since_, config_.poll_period, until);
  window_polls_ +=
      polls_within(idle_since_, config_.poll_period, run.empty_polls, config_.window_start, config_.window_end);
}

models::Cost Ppe::run(models::PathId path, double calls, std::uint64_t bytes,
                      models::Touches touches) {
  const models::Cost c = cost_.run(config_.cpu, path, calls, bytes, touches, calendar_.now());
  cycles_ += c.cycles;
  if (timeline_) {
    const models::CodePath& p = cost_.catalog()[path];
    slice_.add(p.name, models::bin_name(p.bin), calls, c.cycles);
  }
  return c;
}

void Ppe::iterate() {
  while (!visible_.empty() && visible_.top() <= calendar_.now()) visible_.pop();
  ++iterations_;
  cycles_ = 0;
  if (timeline_) slice_ = world::WorkSlice{"ppe iteration", calendar_.now()};
  cost_.begin_piece(config_.cpu, calendar_.now());
  executing_ = true;
  iteration_(*this);
  executing_ = false;
  begin_busy(calendar_.now() + picos_of(cycles_, cost_.hz()));
}

void Ppe::begin_busy(Picos end) {
  busy_ = true;
  busy_end_ = end;
  cost_.end_piece(config_.cpu, end);
  notice_scheduled_ = false;
  const std::uint64_t gen = ++generation_;
  calendar_.schedule(busy_end_, [this, gen] { complete(gen); });
}

void Ppe::complete(std::uint64_t generation) {
  if (!busy_ || generation != generation_) return;  // pushed back by a tick
  if (timeline_) trace_piece(calendar_.now());
  // Still busy while the iteration's outputs leave: what they make visible waits for the decision below.
  std::vector<std::function<void()>> effects;
  effects.swap(deferred_);
  for (auto& e : effects) e();
  busy_ = false;
  // The loop goes straight on: what became visible meanwhile is seen by the very next poll.
  if (!visible_.empty() && visible_.top() <= calendar_.now()) {
    iterate();
    return;
  }
  idle_since_ = calendar_.now();
  cost_.set_idle(config_.cpu);
  ++generation_;
  notice_scheduled_ = false;
  schedule_notice();
}

void Ppe::tick() {
  calendar_.schedule(calendar_.now() + config_.tick_period, [this] { tick(); });
  if (cost_.counting()) ++events_.interrupts;
  if (on_tick_) on_tick_();
  interrupt(config_.tick_handler, "local timer", "interrupt");
}

void Ppe::profiler_sample() {
  calendar_.schedule(calendar_.now() + config_.sample_period, [this] { profiler_sample(); });
  // The engine never halts: every sample lands, in an iteration or in the empty polls.
  cost_.flush_running(config_.cpu, calendar_.now());
  if (cost_.counting()) ++events_.profiler_samples;
  if (timeline_) timeline_->instant(track_, calendar_.now(), "profiler NMI", "nmi");
  if (on_sample_) on_sample_();
}

void Ppe::ipi() {
  if (cost_.counting()) ++events_.ipis;
  interrupt(config_.ipi_handler, "ipi", "ipi");
}

void Ppe::interrupt(models::PathId handler, const char* name, const char* category) {
  if (timeline_) timeline_->instant(track_, calendar_.now(), name, category);
  // The interrupt flushes the pipeline of what it interrupts (nothing lost if the loop was idle);
  // a profiler sampling by NMI counts the clear in the interrupt's entry (CpuSet::interrupt).
  const double penalty = config_.sample_period > 0
                             ? cost_.clear(config_.cpu, 1, config_.tick_entry, models::ClearCause::Interrupt)
                             : cost_.clear_running(config_.cpu, 1, calendar_.now(), models::ClearCause::Interrupt);
  if (busy_) {
    // Timeline: the iteration's piece so far, the interrupt, then the rest of the iteration.
    world::WorkSlice iteration;
    if (timeline_) {
      trace_piece(calendar_.now());
      iteration = std::move(slice_);
      slice_ = world::WorkSlice{name, calendar_.now()};
      slice_.clear_cycles = penalty;
    }
    const double before = cycles_;
    cycles_ = penalty;
    run(config_.tick_entry, 1, 0);
    run(handler, 1, 0);
    const double extra = cycles_;
    cycles_ = before;
    if (timeline_) {
      trace_piece(calendar_.now() + picos_of(extra, cost_.hz()));
      slice_ = std::move(iteration);
      slice_.start = calendar_.now() + picos_of(extra, cost_.hz());
    }
    begin_busy(busy_end_ + picos_of(extra, cost_.hz()));
    return;
  }
  account_polls(calendar_.now());
  cost_.begin_piece(config_.cpu, calendar_.now());
  if (timeline_) {
    slice_ = world::WorkSlice{name, calendar_.now()};
    slice_.clear_cycles = penalty;
  }
  cycles_ = penalty;
  run(config_.tick_entry, 1, 0);
  run(handler, 1, 0);
  begin_busy(calendar_.now() + picos_of(cycles_, cost_.hz()));
}

void Ppe::trace_piece(Picos at) {
  slice_.end = at;
  timeline_->slice(track_, slice_);
  slice_.continued();
}

double Ppe::idle_instructions(Picos now) const {
  std::uint64_t polls = window_polls_;
  if (!busy_) {
    const PollRun run = poll_until(idle_since_, config_.poll_period, now);
    polls += polls_within(idle_since_, config_.poll_period, run.empty_polls, config_.window_start, config_.window_end);
  }
  return static_cast<double>(polls) * config_.instr_per_empty_poll;
}

}  // namespace iscsim::host::amp
