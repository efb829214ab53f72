#include "sim/host/kernel/CpuSet.hpp"

#include <algorithm>
#include <cmath>

namespace iscsim::host::kernel {

namespace {

// Timeline: `calls` more calls of `path` within the piece `s`.
void add_part(world::WorkSlice& s, const models::CodePath& path, double calls, double cycles) {
  s.add(path.name, models::bin_name(path.bin), calls, cycles);
}
}  // namespace

CpuSet::CpuSet(world::Calendar& calendar, models::CpuCostModel& cost, SchedulerPaths paths, int cpus)
    : calendar_(calendar), cost_(cost), paths_(paths), cpus_(cpus), job_cycles_(cpus, 0.0), lock_reach_cycles_(cpus, 0.0) {}

models::Cost CpuSet::run(int cpu, models::PathId path, double calls, std::uint64_t bytes,
                         models::Touches touches) {
  const models::Cost c = cost_.run(cpu, path, calls, bytes, touches, calendar_.now());
  job_cycles_[cpu] += c.cycles;
  if (timeline_) add_part(cpus_[cpu].current.slice, cost_.catalog()[path], calls, c.cycles);
  return c;
}

void CpuSet::run_for(int owner, models::PathId path, double calls, models::Touches touches) {
  Cpu& o = cpus_[owner];
  // The owner does this work when it releases what it holds, at the end of its piece: its lines
  // move then, not while the caller's own loads on them are in flight.
  const models::Picos at = o.busy ? std::max(o.current.end, calendar_.now()) : calendar_.now();
  const models::Cost c = cost_.run(owner, path, calls, 0, touches, at);
  if (!o.busy) return;
  if (timeline_) add_part(o.current.slice, cost_.catalog()[path], calls, c.cycles);
  o.current.end += models::picos_from_cycles(c.cycles, cost_.hz());
  cost_.end_piece(owner, o.current.end);
  const std::uint64_t gen = ++o.generation;
  complete_at(o.current.end, owner, gen);
}

void CpuSet::raise_irq(int cpu, Work w) {
  if (cost_.counting()) ++cpus_[cpu].events.interrupts;
  if (timeline_) timeline_->instant(tracks_[cpu], calendar_.now(), w.name, "interrupt");
  interrupt(cpu, std::move(w));
}

void CpuSet::continue_irq(int cpu, Work w) {
  // Run from the ending work's deferred effects, before the CPU dispatches: first in line.
  cpus_[cpu].hard.emplace_front(std::move(w), 0.0);
  cpus_[cpu].irq_continues = true;
}

void CpuSet::set_scheduler_objects(models::AddressSpace& memory, TaskObjectBytes bytes) {
  memory_ = &memory;
  task_bytes_ = bytes;
  if (bytes.task_hot > 0) {
    runqueue_ = memory.region(memory.line_bytes());
    for (int c = 0; c < cpus(); ++c) sched_data_.push_back(memory.region(memory.line_bytes()));
    for (int c = 0; c < cpus(); ++c) idle_tasks_.push_back(memory.region(bytes.task_hot));
  }
  for (int c = 0; c < cpus(); ++c) idle_stacks_.push_back(new_stack());
}

models::Addr CpuSet::new_stack() {
  const std::uint64_t bytes = std::uint64_t{task_bytes_.stack_resume} + task_bytes_.stack_interrupt;
  return memory_ != nullptr && bytes > 0 ? memory_->region(bytes) : 0;
}

models::Touch CpuSet::interrupt_frames(int cpu) const {
  const Thread* t = current_thread(cpu);
  const models::Addr stack = t != nullptr ? t->stack_ : per_cpu_object(idle_stacks_, cpu);
  if (stack == 0) return {};
  return {stack + task_bytes_.stack_resume, task_bytes_.stack_interrupt, true};
}

void CpuSet::start_local_timers(Picos period, models::PathId handler) {
  if (period <= 0) return;
  for (int c = 0; c < cpus(); ++c) {
    calendar_.schedule(staggered_phase(period, c, cpus()),
                       [this, c, period, handler] { local_timer(c, period, handler); });
  }
}

void CpuSet::start_profiler(Picos period) {
  if (period <= 0) return;
  nmi_sampling_ = true;
  for (int c = 0; c < cpus(); ++c) {
    calendar_.schedule(staggered_phase(period, c, cpus()), [this, c, period] { profiler_sample(c, period); });
  }
}

void CpuSet::profiler_sample(int cpu, Picos period) {
  calendar_.schedule(calendar_.now() + period, [this, cpu, period] { profiler_sample(cpu, period); });
  // The sampled event counts clocks the CPU is not halted: a halted CPU's count stands still, so
  // a sample due while it halts is one it never takes (in expectation the same number).
  Cpu& c = cpus_[cpu];
  if (halted(c)) return;
  // The NMI flushes the pipeline of whatever runs, idle loop included. Its handler's own cycles
  // are not modelled: the profile cannot see them, and they delay what runs by little (models/COST-MODEL.md).
  cost_.flush_running(cpu, calendar_.now());
  if (cost_.counting()) ++c.events.profiler_samples;
  if (timeline_) timeline_->instant(tracks_[cpu], calendar_.now(), "profiler NMI", "nmi");
  if (on_sample_) on_sample_(cpu);
}

void CpuSet::local_timer(int cpu, Picos period, models::PathId handler) {
  calendar_.schedule(calendar_.now() + period, [this, cpu, period, handler] { local_timer(cpu, period, handler); });
  raise_irq(cpu, Work{[this, handler](int on) {
                        run(on, paths_.apic_entry, 1, 0, {interrupt_frames(on)});
                        run(on, handler, 1, 0);
                        tick(on);
                      },
                      {},
                      "local timer",
                      true});
}

void CpuSet::interrupt(int cpu, Work w) {
  Cpu& c = cpus_[cpu];
  // 2.4.17 takes io_request_lock with spin_lock_irq or spin_lock_irqsave: an interrupt that comes
  // during a hold is taken when the hold ends (at least a picosecond on, whatever the rounding).
  if (c.busy) {
    const double now_s = models::seconds_from_picos(calendar_.now());
    const double until_s = lock_holds_.held_until(c.current.id, now_s);
    if (until_s > now_s) {
      const Picos at = std::max(models::picos_from_seconds(until_s), calendar_.now() + 1);
      calendar_.schedule(at, [this, cpu, w = std::move(w)]() mutable { interrupt(cpu, std::move(w)); });
      return;
    }
  }
  // The interrupt flushes the pipeline of whatever it interrupts: the clear goes to that bin. A
  // CPU halted in 2.4's idle loop (hlt) has nothing in flight to flush. A device's handler runs
  // with interrupts on, but the local APIC holds anything of its priority class or below until
  // its EOI; the timer and IPIs, of higher classes, nest into it. Their own handlers run with
  // interrupts off. What is held is taken where interrupts come back on, in what runs then. A
  // polling idle loop (idle=poll) is running code: the interrupt flushes it, a clear in idle.
  // Under a profiler that samples by NMI, though, the NMI its counter raises during the flush is
  // held until the interrupt is delivered and samples the handler's first instruction: the
  // clear is counted in the interrupt's entry, wherever it landed (models/COST-MODEL.md).
  const bool stopped = halted(c);
  const bool in_handler = c.busy && c.current.level == Level::HardIrq;
  const bool nests = in_handler && w.above_devices && !c.current.work.above_devices;
  double penalty = 0;
  if (!stopped && nmi_sampling_)
    penalty = cost_.clear(cpu, 1, w.above_devices ? paths_.apic_entry : paths_.irq_entry, models::ClearCause::Interrupt);
  else if (in_handler && !nests)
    penalty = cost_.clear(cpu, 1, held_interrupt_path(c), models::ClearCause::Interrupt);
  else if (!stopped)
    penalty = cost_.clear_running(cpu, 1, calendar_.now(), models::ClearCause::Interrupt);
  if (nests)
    c.hard.emplace_front(std::move(w), penalty);
  else
    c.hard.emplace_back(std::move(w), penalty);
  if (c.busy && (!in_handler || nests)) {
    c.current.remaining = std::max<Picos>(0, c.current.end - calendar_.now());
    c.current.worked += calendar_.now() - c.current.run_start;
    c.current.piece = cost_.suspend_piece(cpu, calendar_.now());
    lock_holds_.suspend(c.current.id, models::seconds_from_picos(calendar_.now()));
    if (timeline_) trace_piece(cpu, c.current);
    c.preempted.push_back(std::move(c.current));
    c.busy = false;
    ++c.generation;
    ++preemptions_;
    if (cost_.counting()) ++c.events.preemptions;
  }
  dispatch(cpu);
}

models::PathId CpuSet::held_interrupt_path(const Cpu& c) const {
  // do_softirq returns at once inside another interrupt or softirq (in_interrupt()).
  if (!c.soft.empty() && !in_interrupt(c)) return paths_.softirq;
  return c.preempted.empty() ? models::kNoPath : c.preempted.back().piece.returns_to;
}

void CpuSet::defer(int cpu, std::function<void()> effect) {
  cpus_[cpu].current.deferred.push_back(std::move(effect));
}

void CpuSet::defer_at_done(int cpu, std::function<void()> effect) {
  Job& j = cpus_[cpu].current;
  // Outside its work (or past what one word can name: never, at some hundred frames a piece),
  // the effect waits for the work's end.
  if (executing_ != cpu || j.timed.size() > kTimedIndexMask) return defer(cpu, std::move(effect));
  j.timed.push_back({models::picos_from_cycles(job_cycles_[cpu], cost_.hz()), std::move(effect)});
}

Picos CpuSet::due_at(const Job& j, const Job::Timed& t) {
  return j.run_start + std::max<Picos>(0, t.at_work - j.worked);
}

void CpuSet::arm_timed(int cpu) {
  Job& j = cpus_[cpu].current;
  j.run_start = calendar_.now();
  const auto n = static_cast<std::uint64_t>(cpus_.size());
  for (std::size_t i = 0; i < j.timed.size(); ++i) {
    const Job::Timed& t = j.timed[i];
    // What is due at the piece's end runs with its completion.
    if (t.done || due_at(j, t) >= j.end) continue;
    // Piece, effect and CPU in one word: with `this` it fits std::function's inline storage.
    const std::uint64_t key = ((j.id << kTimedIndexBits) | i) * n + static_cast<std::uint64_t>(cpu);
    calendar_.schedule(due_at(j, t), [this, key] { fire_timed(key); });
  }
}

void CpuSet::fire_timed(std::uint64_t key) {
  const auto n = static_cast<std::uint64_t>(cpus_.size());
  Cpu& c = cpus_[key % n];
  const std::uint64_t piece = key / n >> kTimedIndexBits;
  // Preempted since it was armed, or complete: not due now (a resumption arms it again, for later).
  if (!c.busy || c.current.id != piece) return;
  Job::Timed& t = c.current.timed[key / n & kTimedIndexMask];
  if (t.done || due_at(c.current, t) != calendar_.now()) return;
  t.done = true;
  t.effect();
}

void CpuSet::raise_softirq(int cpu, Work w) {
  cpus_[cpu].soft.push_back(std::move(w));
  dispatch(cpu);
}

Thread* CpuSet::create_thread(std::string name, std::function<Work()> body, int home_cpu, int mm) {
  auto t = std::make_unique<Thread>();
  t->mm_ = mm;
  t->name_ = std::move(name);
  t->body = std::move(body);
  t->last_cpu_ = home_cpu % cpus();
  t->counter_ = weights_.timeslice_ticks;
  t->window_cycles_.assign(static_cast<std::size_t>(cpus()), 0.0);
  if (memory_ != nullptr && task_bytes_.task_hot > 0) t->task_ = memory_->region(task_bytes_.task_hot);
  if (memory_ != nullptr && task_bytes_.wait_queue > 0) t->waitq_ = memory_->region(task_bytes_.wait_queue);
  t->stack_ = new_stack();
  threads_.push_back(std::move(t));
  return threads_.back().get();
}

std::vector<ThreadUsage> CpuSet::thread_usage() const {
  std::vector<ThreadUsage> out;
  for (const auto& t : threads_)
    if (t->window_runs_ > 0) out.push_back(ThreadUsage{t->name_, t->window_cycles_, t->window_runs_, t->window_migrations_});
  return out;
}

bool CpuSet::idle(int cpu) const {
  // As Linux 2.4 sees it: the CPU's current task is the idle task, even while an interrupt or
  // a softirq runs on top of it (reschedule_idle compares cpu_curr() with idle_task()), and even
  // when it has already been told to reschedule.
  return current_thread(cpu) == nullptr;
}

Thread* CpuSet::current_thread(int cpu) const {
  const Cpu& c = cpus_[cpu];
  if (c.busy && c.current.thread != nullptr) return c.current.thread;
  if (c.still_running != nullptr) return c.still_running;
  for (auto it = c.preempted.rbegin(); it != c.preempted.rend(); ++it)
    if (it->thread != nullptr) return it->thread;
  return nullptr;
}

void CpuSet::ipi_call(int cpu, std::function<void(int)> handler) { send_ipi(cpu, executing_, std::move(handler)); }

void CpuSet::send_ipi(int cpu, int sender, std::function<void(int)> handler) {
  Cpu& c = cpus_[cpu];
  if (c.ipi_pending && !handler) return;
  c.ipi_pending = true;
  Work ipi{[this, handler = std::move(handler)](int on) {
              cpus_[on].ipi_pending = false;
              // Counted where it is taken, as its entry is: one sent near the window's edge is
              // in the window with its handler or not at all.
              ++ipis_;
              if (cost_.counting()) ++cpus_[on].events.ipis;
              // A local APIC interrupt's entry and exit (2.4's BUILD_SMP_INTERRUPT), then the handler.
              run(on, paths_.apic_entry, 1, 0, {interrupt_frames(on)});
              run(on, paths_.ipi_handler, 1, 0);
              if (handler) handler(on);
            },
            {},
            "ipi",
            true};
  send_from(sender, [this, cpu, ipi] {
    if (timeline_) timeline_->instant(tracks_[cpu], calendar_.now(), "ipi", "ipi");
    interrupt(cpu, ipi);
  });
}

void CpuSet::send_from(int sender, std::function<void()> leave) {
  // 2.4's send_IPI_mask_bitmask waits for the ICR to be idle, writes ICR2, then ICR.
  const bool in_set = sender >= 0 && sender < cpus();
  if (in_set && executing_ != sender) {
    // From a wake-up made runnable at its work's end (wake_when_done): the sender writes the ICR
    // before it goes on, and the IPI leaves then.
    continue_irq(sender, Work{[this, leave](int on) {
                                run(on, paths_.send_ipi, 1, 0);
                                defer_at_done(on, leave);
                              },
                              {},
                              "ipi sent",
                              false});
    return;
  }
  if (in_set) run(sender, paths_.send_ipi, 1, 0);
  // The IPI leaves when the piece has got to the wake-up that sends it (2.4's reschedule_idle
  // writes the ICR from inside try_to_wake_up).
  at_this_point(std::move(leave));
}

void CpuSet::at_this_point(std::function<void()> effect) {
  // A piece's work is charged when it starts, but what it does takes its time: the effect waits
  // until the piece has got as far as what is charged now, interrupts of that work included.
  if (executing_ >= 0 && cpus_[executing_].busy)
    defer_at_done(executing_, std::move(effect));
  else
    effect();
}

void CpuSet::leave_idle(int cpu) {
  Cpu& c = cpus_[cpu];
  if (!c.idle) return;
  c.idle = false;
  if (!idle_path_) return;
  // The idle time was spent polling: charged now, without delaying what starts.
  const double spin_cycles = models::seconds_from_picos(calendar_.now() - c.idle_since) * cost_.hz();
  const double per_call = cost_.catalog()[*idle_path_].compute_cycles(1, 0);
  if (spin_cycles <= 0 || per_call <= 0) return;
  const models::Cost spun = cost_.run(cpu, *idle_path_, spin_cycles / per_call, 0, {}, calendar_.now());
  if (timeline_) {
    world::WorkSlice s{"idle poll", c.idle_since, calendar_.now()};
    add_part(s, cost_.catalog()[*idle_path_], spin_cycles / per_call, spun.cycles);
    timeline_->slice(tracks_[cpu], s);
  }
}

void CpuSet::dispatch(int cpu) {
  Cpu& c = cpus_[cpu];
  if (c.busy) return;
  Job job;
  // Inside a device's handler (a timer tick or IPI nested into it), only what outranks that
  // handler starts before it resumes: held device interrupts and softirqs wait for its EOI.
  const bool in_handler = !c.preempted.empty() && c.preempted.back().level == Level::HardIrq;
  if (!c.hard.empty() && (!in_handler || c.hard.front().first.above_devices)) {
    job.level = Level::HardIrq;
    job.work = std::move(c.hard.front().first);
    job.entry_cycles = c.hard.front().second;
    c.hard.pop_front();
  } else if (!c.soft.empty() && !in_interrupt(c)) {
    // do_softirq returns at once inside another interrupt or softirq (2.4.17's in_interrupt()):
    // what an interrupt queues over a preempted softirq runs once that one has resumed.
    job.level = Level::SoftIrq;
    job.work = std::move(c.soft.front());
    c.soft.pop_front();
    if (!c.softirq_running) begin_softirqs(c);  // raised outside an interrupt
  } else if (!c.preempted.empty()) {
    leave_idle(cpu);
    c.current = std::move(c.preempted.back());
    c.preempted.pop_back();
    c.current.end = calendar_.now() + c.current.remaining;
    cost_.resume_piece(cpu, std::move(c.current.piece), c.current.end);
    c.current.slice.start = calendar_.now();
    c.busy = true;
    complete_at(c.current.end, cpu, ++c.generation);
    arm_timed(cpu);
    // Its holds of the spin lock come back with it: where they now begin during another CPU's
    // hold, they give way (this CPU spins, charged at the end of its piece, after what is armed),
    // and where another's begins during theirs, that one does.
    for (const SpinLockHolds::Push& p : lock_holds_.resume(c.current.id, models::seconds_from_picos(calendar_.now())))
      spin(p.cpu, p.spin_s * cost_.hz(), true);
    return;
  } else if (Thread* t = pick(cpu)) {
    job.level = Level::Thread;
    job.thread = t;
    job.work = t->body();
  } else if (c.last_thread != nullptr) {
    // Its thread slept with nothing else runnable: schedule() switches to the idle task, in work
    // of its own before the CPU idles (and back from idle, the switch to a thread is charged again,
    // whichever thread it is).
    job.level = Level::Thread;
    job.work = Work{[this, prev = c.last_thread](int on) { charge_switch(on, prev, nullptr); }, {}, "schedule", false};
    c.last_thread = nullptr;
  } else {
    cost_.set_idle(cpu);
    if (!c.idle) {
      c.idle = true;
      c.idle_since = calendar_.now();
    }
    return;
  }
  leave_idle(cpu);
  if (!spare_deferred_.empty()) {
    job.deferred = std::move(spare_deferred_.back());
    spare_deferred_.pop_back();
  }
  begin(cpu, std::move(job));
}

void CpuSet::begin(int cpu, Job job) {
  Cpu& c = cpus_[cpu];
  c.current = std::move(job);
  c.current.id = ++pieces_;
  c.busy = true;
  const std::uint64_t gen = ++c.generation;
  const int outer = executing_;
  executing_ = cpu;
  job_cycles_[cpu] = 0;
  cost_.begin_piece(cpu, calendar_.now());
  c.current.slice.start = calendar_.now();
  c.current.slice.name = c.current.thread != nullptr ? std::string_view(c.current.thread->name_) : c.current.work.name;
  if (Thread* t = c.current.thread) {
    t->running_ = true;
    if (cost_.counting()) {
      ++t->window_runs_;
      if (t->last_cpu_ != cpu) ++t->window_migrations_;
    }
    if (timeline_ && t->last_cpu_ != cpu)
      timeline_->instant(tracks_[cpu], calendar_.now(),
                         "migrate " + t->name_ + " from CPU" + std::to_string(t->last_cpu_), "migration");
    t->last_cpu_ = cpu;
    if (c.last_thread != t) {
      // switch_mm loads CR3, a serializing instruction that flushes the pipeline, only when the
      // next task has an address space other than the one loaded (2.4: prev->active_mm != next->mm).
      if (t->mm_ != kKernelThread && t->mm_ != c.active_mm) {
        job_cycles_[cpu] += cost_.clear(cpu, 1, paths_.schedule, models::ClearCause::Cr3Load);
        c.active_mm = t->mm_;
      }
      charge_switch(cpu, c.last_thread, t);
      c.last_thread = t;
    }
  }
  if (c.current.level == Level::HardIrq) job_cycles_[cpu] += c.current.entry_cycles;
  if (c.current.work.start) c.current.work.start(cpu);
  if (Thread* t = c.current.thread; t != nullptr && cost_.counting())
    t->window_cycles_[static_cast<std::size_t>(cpu)] += job_cycles_[cpu];
  if (timeline_) c.current.slice.clear_cycles = job_cycles_[cpu] - c.current.slice.part_cycles();
  executing_ = outer;
  const Picos duration = models::picos_from_cycles(job_cycles_[cpu], cost_.hz());
  c.current.end = calendar_.now() + duration;
  cost_.end_piece(cpu, c.current.end);
  complete_at(c.current.end, cpu, gen);
  arm_timed(cpu);
}

void CpuSet::complete_at(Picos at, int cpu, std::uint64_t generation) {
  // CPU and generation in one word: with `this` it fits std::function's inline storage, so no
  // allocation per piece of work.
  const auto n = static_cast<std::uint64_t>(cpus_.size());
  calendar_.schedule(at, [this, key = generation * n + static_cast<std::uint64_t>(cpu)] {
    complete(static_cast<int>(key % cpus_.size()), key / cpus_.size());
  });
}

void CpuSet::charge_switch(int cpu, const Thread* prev, const Thread* next) {
  const auto task = [&](const Thread* t) { return t != nullptr ? t->task_ : per_cpu_object(idle_tasks_, cpu); };
  const models::Addr stack = next != nullptr ? next->stack_ : per_cpu_object(idle_stacks_, cpu);
  // schedule() under runqueue_lock: both tasks' hot fields and this CPU's schedule_data; switch_to
  // then resumes the next task through the frames it slept in (a thread: past its wait queue).
  run(cpu, paths_.schedule, 1, 0,
      {models::modelled(runqueue_, line_bytes(), true), models::modelled(stack, task_bytes_.stack_resume, true),
       models::modelled(next != nullptr ? next->waitq_ : 0, task_bytes_.wait_queue, true),
       models::modelled(task(next), task_bytes_.task_hot, true), models::modelled(task(prev), task_bytes_.task_hot, true),
       models::modelled(per_cpu_object(sched_data_, cpu), line_bytes(), true)});
  ++switches_;
  if (cost_.counting()) ++cpus_[cpu].events.context_switches;
  if (timeline_)
    timeline_->instant(tracks_[cpu], calendar_.now(), "switch to " + (next != nullptr ? next->name_ : std::string("idle")),
                       "switch");
}

void CpuSet::complete(int cpu, std::uint64_t generation) {
  Cpu& c = cpus_[cpu];
  if (!c.busy || c.generation != generation) return;  // preempted: a later event completes it
  Job job = std::move(c.current);
  c.busy = false;
  if (timeline_) trace_piece(cpu, job);
  if (Thread* t = job.thread) {
    t->running_ = false;
    if (t->rerun_) {
      // Woken while it ran: still runnable, it returns to its loop (or yields, if told to).
      t->rerun_ = false;
      t->queued_ = true;
      c.still_running = t;
    } else {
      c.schedules = true;  // it sleeps: schedule()
    }
  }
  if (job.work.finish) job.work.finish();
  for (auto& t : job.timed)
    if (!t.done) t.effect();
  for (auto& effect : job.deferred) effect();
  job.deferred.clear();
  spare_deferred_.push_back(std::move(job.deferred));
  if (job.level == Level::HardIrq) after_hard_irq(cpu);
  if (job.level == Level::SoftIrq) after_softirq(cpu);
  dispatch(cpu);
}

void CpuSet::trace_to(world::Timeline* timeline, std::vector<world::TimelineTrack> tracks,
                      world::TimelineTrack queue) {
  timeline_ = timeline;
  tracks_ = std::move(tracks);
  queue_track_ = queue;
}

void CpuSet::trace_piece(int cpu, Job& job) {
  job.slice.end = calendar_.now();
  timeline_->slice(tracks_[cpu], job.slice);
  job.slice.continued();
}

void CpuSet::trace_queue() {
  if (timeline_) timeline_->counter(queue_track_, calendar_.now(), "run queue", "threads", static_cast<double>(runq_.size()));
}

}  // namespace iscsim::host::kernel
