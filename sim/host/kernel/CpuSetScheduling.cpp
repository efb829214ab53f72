// Linux 2.4.18's scheduling rules, as CpuSet applies them: time slices and goodness(), wake-ups
// with reschedule_idle(), and schedule()'s choice.
#include "sim/host/kernel/CpuSet.hpp"

namespace iscsim::host::kernel {

Thread* CpuSet::add_foreign_cpu(std::string name, std::function<void()> ipi) {
  auto t = std::make_unique<Thread>();
  t->name_ = std::move(name);
  t->last_cpu_ = cpus() + static_cast<int>(foreign_.size());
  t->counter_ = weights_.timeslice_ticks;
  t->running_ = true;  // for ever: never queued, never woken
  foreign_.push_back({t.get(), std::move(ipi)});
  threads_.push_back(std::move(t));
  return threads_.back().get();
}

void CpuSet::tick_foreign(Thread* resident) {
  take_tick(*resident);  // its need_resched is never read
}

bool CpuSet::take_tick(Thread& t) {
  if (weights_.timeslice_ticks <= 0) return false;
  if (t.counter_ > 0) --t.counter_;
  return t.counter_ == 0;
}

void CpuSet::set_scheduler_weights(SchedulerWeights w) {
  weights_ = w;
  for (auto& t : threads_) t->counter_ = slice_ticks(*t);
}

int CpuSet::goodness(const Thread& t, int cpu, int mm) const {
  const bool slices = weights_.timeslice_ticks > 0;
  if (slices && t.counter_ == 0) return 0;
  // 20 - nice: a niced thread (ksoftirqd) weighs less; without weights there is no nice either.
  int weight = (slices ? t.counter_ : 1) + weights_.base_weight - (weights_.base_weight > 0 ? t.nice_ : 0);
  if (t.last_cpu_ == cpu) weight += weights_.proc_change_penalty;
  if (t.mm_ == mm || t.mm_ == kKernelThread) weight += weights_.same_mm_bonus;
  return weight;
}

void CpuSet::tick(int cpu) {
  Thread* t = current_thread(cpu);
  if (t != nullptr && take_tick(*t)) cpus_[cpu].need_resched = true;
}

void CpuSet::enqueue(Thread* t) {
  t->queued_ = true;
  t->queued_at_ = ++enqueues_;
  runq_.push_back(t);
  trace_queue();
}

void CpuSet::wake(Thread* t, int waker) {
  if (waker >= 0 && executing_ == waker) charge_wake_up(waker, *t);
  make_runnable(t, waker);
}

void CpuSet::wake_when_done(Thread* t, int cpu) {
  if (executing_ != cpu || !cpus_[cpu].busy) return wake(t, cpu);
  charge_wake_up(cpu, *t);
  defer(cpu, [this, t, cpu] { make_runnable(t, cpu); });
}

void CpuSet::charge_wake_up(int cpu, const Thread& t) {
  // Only a sleeping thread is woken: a running or runnable one costs its waker nothing.
  if (!t.running_ && !t.queued_) run_wake_up(cpu, t, true);
}

void CpuSet::make_runnable(Thread* t, int waker) {
  if (t->running_) {
    t->rerun_ = true;
    return;
  }
  if (t->queued_) return;
  enqueue(t);
  // The waker's own CPU reschedules when its work returns; another CPU is told by an IPI.
  tell(reschedule_idle(t, waker), waker);
}

void CpuSet::run_wake_up(int cpu, const Thread& t, bool reads_sched_data) {
  // __wake_up locks the wait-queue head and reads the sleeper's entry, which sits in the frames it
  // slept in; try_to_wake_up takes runqueue_lock and writes the task's state and run-list links;
  // reschedule_idle reads the other CPUs' schedule_data.
  const bool sched_data = reads_sched_data && !sched_data_.empty();
  run(cpu, paths_.wake_up, 1, 0,
      {models::modelled(t.waitq_, task_bytes_.wait_queue, true), models::modelled(t.stack_, line_bytes(), false),
       models::modelled(runqueue_, line_bytes(), true), models::modelled(t.task_, task_bytes_.task_hot, true),
       models::modelled(sched_data ? sched_data_[static_cast<std::size_t>(t.last_cpu_)] : 0, line_bytes(), false)});
}

void CpuSet::tell(const Resched& r, int waker) {
  if (r.cpu < 0 || r.cpu == waker) return;
  if (r.cpu >= cpus()) {
    // A packet engine's CPU: its IPI comes once what the waker runs now is charged.
    ++ipis_;
    const std::function<void()>& ipi = foreign_[static_cast<std::size_t>(r.cpu - cpus())].ipi;
    send_from(waker, [this, ipi] { calendar_.schedule(calendar_.now(), ipi); });
  } else if (waker < 0) {
    dispatch(r.cpu);
  } else if (r.ipi) {
    send_ipi(r.cpu, waker);
  } else if (spins_when_idle() && idle(r.cpu)) {
    // The polling CPU sees need_resched once the waker's work has written it.
    const int cpu = r.cpu;
    at_this_point([this, cpu] { dispatch(cpu); });
  }
}

CpuSet::Resched CpuSet::reschedule_idle(const Thread* t, int waker) {
  // Linux 2.4 reschedule_idle(): the thread's last CPU if it idles, else the idle CPU that
  // scheduled longest ago; with none idle, the CPU whose current thread it out-ranks most
  // (preemption_goodness > 0). That CPU's need_resched is set: an idle one schedules at once, a
  // busy one when its thread next returns (a 2.4 kernel is not preemptible). An idle CPU already
  // told needs no second IPI.
  const auto tell_idle = [this, waker](int cpu) {
    Cpu& c = cpus_[cpu];
    // A polling idle loop watches need_resched itself (2.4 poll_idle sets it to -1): no IPI.
    const bool told = c.need_resched || spins_when_idle();
    c.need_resched = true;
    return Resched{cpu, cpu != waker && !told};
  };
  if (idle(t->last_cpu_)) return tell_idle(t->last_cpu_);
  if (const int only = t->bound_cpu_; only >= 0) {
    // Allowed on one CPU alone, it can preempt only that CPU's thread.
    const Thread* cur = current_thread(only);
    const int mm = cpus_[only].active_mm;
    if (cur == nullptr || goodness(*t, only, mm) <= goodness(*cur, only, mm)) return {};
    cpus_[only].need_resched = true;
    return Resched{only, only != waker};
  }
  int oldest = -1;
  int victim = -1;
  int most = 0;
  // preemption_goodness(): both weighed in the address space CPU `c` has loaded.
  const auto weigh = [&](int c, const Thread& cur, int mm) {
    const int prio = goodness(*t, c, mm) - goodness(cur, c, mm);
    if (prio > most) {
      most = prio;
      victim = c;
    }
  };
  for (int c = 0; c < cpus(); ++c) {
    if (const Thread* cur = current_thread(c)) {
      if (oldest < 0) weigh(c, *cur, cpus_[c].active_mm);
    } else if (oldest < 0 || cpus_[c].last_schedule < cpus_[oldest].last_schedule) {
      oldest = c;
    }
  }
  if (oldest >= 0) return tell_idle(oldest);
  // A packet engine's CPU: its resident kernel thread borrows whatever mm was loaded.
  for (std::size_t i = 0; i < foreign_.size(); ++i)
    weigh(cpus() + static_cast<int>(i), *foreign_[i].resident, kKernelThread);
  if (victim < 0) return {};
  if (victim >= cpus()) return Resched{victim, true};
  cpus_[victim].need_resched = true;
  return Resched{victim, victim != waker};
}

void CpuSet::wake_by_ipi(Thread* t) {
  if (t->running_) {
    t->rerun_ = true;
    return;
  }
  if (t->queued_) return;
  // The engine interrupts the CPU the thread slept on (a thread that never ran: the first);
  // there the handler's wake_up makes it runnable, and that CPU's reschedule_idle tells whichever
  // CPU should run it.
  const int slept_on = t->last_cpu_ < cpus() ? t->last_cpu_ : 0;
  send_ipi(slept_on, executing_, [this, t](int on) {
    charge_wake_up(on, *t);
    make_runnable(t, on);
  });
}

Thread* CpuSet::pick(int cpu) {
  Cpu& c = cpus_[cpu];
  Thread* prev = c.still_running;
  c.still_running = nullptr;
  // A thread with more to do goes on in its loop unless told to reschedule; an idle CPU back from
  // an interrupt halts again unless it was (2.4's idle loop: `while (!need_resched) hlt`).
  if (prev != nullptr && !c.need_resched) {
    prev->queued_ = false;
    return prev;
  }
  if (prev == nullptr && !c.schedules && !c.need_resched) return nullptr;
  c.schedules = false;
  c.need_resched = false;
  c.last_schedule = calendar_.now();
  Thread* next = choose(cpu, prev);
  if (prev != nullptr && next != prev) {
    // Still runnable: it stays queued, with its place (queued_at_) in 2.4's run-queue order.
    runq_.push_back(prev);
    trace_queue();
  }
  if (next == nullptr) return nullptr;
  if (next != prev) {
    runq_.erase(std::find(runq_.begin(), runq_.end(), next));
    trace_queue();
  }
  next->queued_ = false;
  return next;
}

Thread* CpuSet::choose(int cpu, Thread* prev) {
  const int mm = cpus_[cpu].active_mm;
  for (;;) {
    Thread* best = nullptr;
    int weight = 0;
    const auto consider = [&](Thread* t) {
      const int w = goodness(*t, cpu, mm);
      if (best == nullptr || w > weight || (w == weight && t->queued_at_ > best->queued_at_)) {
        best = t;
        weight = w;
      }
    };
    for (Thread* t : runq_)
      if (t->bound_cpu_ < 0 || t->bound_cpu_ == cpu) consider(t);  // can_schedule()
    if (prev != nullptr) consider(prev);
    if (best == nullptr || weight > 0) return best;
    // Every runnable thread has spent its slice: all threads, sleeping ones too, are recharged
    // (counter = counter / 2 + NICE_TO_TICKS), so a thread that sleeps a lot gains priority.
    for (auto& t : threads_) t->counter_ = t->counter_ / 2 + slice_ticks(*t);
  }
}

}  // namespace iscsim::host::kernel
