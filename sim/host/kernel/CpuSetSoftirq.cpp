// Linux 2.4.17's do_softirq as CpuSet keeps it (kernel/softirq.c): the pending vectors it takes
// when it begins, the ones it has run, and the ksoftirqd it wakes for one raised again.
#include <algorithm>
#include <string>

#include "sim/host/kernel/CpuSet.hpp"

namespace iscsim::host::kernel {

void CpuSet::start_ksoftirqd(int nice, int slice) {
  for (int cpu = 0; cpu < cpus(); ++cpu) {
    // Its loop: do_softirq while a vector is pending (the one raised again, whose work the
    // softirq that raised it has done), then schedule() away.
    Thread* t = create_thread("ksoftirqd_CPU" + std::to_string(cpu), [this] {
      return Work{[this](int on) { run(on, paths_.softirq, 1, 0); }, {}, {}};
    }, cpu);
    t->bound_cpu_ = cpu;
    t->nice_ = nice;
    t->slice_ticks_ = slice;
    t->counter_ = slice;
    ksoftirqd_.push_back(t);
  }
}

void CpuSet::mark_softirq_pending(int cpu, int vector) {
  if (ksoftirqd_.empty()) return;
  Cpu& c = cpus_[cpu];
  const std::uint32_t bit = 1u << vector;
  // A do_softirq under way reruns a vector first raised in it (its restart), and leaves one it
  // has run to ksoftirqd (its mask); otherwise the bit waits for the next do_softirq.
  if (!c.softirq_running) {
    c.softirq_pending |= bit;
  } else if ((c.softirq_ran & bit) != 0) {
    c.softirq_reraised = true;
  } else {
    c.softirq_ran |= bit;
  }
}

bool CpuSet::in_interrupt(const Cpu& c) {
  return std::any_of(c.preempted.begin(), c.preempted.end(), [](const Job& j) { return j.level != Level::Thread; });
}

void CpuSet::begin_softirqs(Cpu& c) {
  c.softirq_running = true;
  c.softirq_ran = c.softirq_pending;
  c.softirq_pending = 0;
}

void CpuSet::after_hard_irq(int cpu) {
  Cpu& c = cpus_[cpu];
  if (c.irq_continues) {
    c.irq_continues = false;
    return;
  }
  // do_IRQ ends in do_softirq, which returns at once inside another interrupt or softirq; the
  // interrupts it holds are taken inside it, once it turns interrupts on.
  if (c.softirq_running || in_interrupt(c)) return;
  if (c.soft.empty()) {
    c.softirq_pending = 0;
    return;
  }
  begin_softirqs(c);
}

void CpuSet::after_softirq(int cpu) {
  Cpu& c = cpus_[cpu];
  // It ends with the outermost softirq, once none is left to run.
  if (!c.softirq_running || !c.soft.empty() || in_interrupt(c)) return;
  // Nothing is pending: what was raised while it ran went to its vectors or to ksoftirqd.
  const bool wake_ksoftirqd = c.softirq_reraised;
  c.softirq_running = false;
  c.softirq_reraised = false;
  // wakeup_softirqd, do_softirq's last act: a wake-up charged here, in a piece of its own. It
  // wakes only a ksoftirqd that is not TASK_RUNNING: one running, or runnable on the runqueue
  // since an earlier raise, will see the vector pending.
  if (!wake_ksoftirqd) return;
  Thread* k = ksoftirqd_[static_cast<std::size_t>(cpu)];
  if (!k->running_ && !k->queued_) c.soft.push_back(Work{[this, k](int on) { wake(k, on); }, {}, "wakeup_softirqd"});
}

}  // namespace iscsim::host::kernel
