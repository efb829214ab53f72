// The SMP scheduler on hand-timed work: preemption pushes the rest of a job back by exactly the
// handler's time, a wake-up for another idle CPU costs it an IPI, and a thread woken while it
// runs runs again; with Linux 2.4's time slices, a thread that never sleeps yields when its slice
// is spent or a woken thread out-ranks it, and not before; interrupts and address-space switches
// clear the pipeline they flush, and a timer tick or IPI nests into a device's handler where
// another device's waits; a thread that moves fetches its kernel stack from the CPU it left, and
// its waker the wait queue it sleeps on; work's deferred effects run once, in order, when it
// finishes, or when it has done the part that led to them; and work left to another CPU's piece
// moves its lines when that piece ends.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

using models::Picos;

TEST(CpuSet, AnInterruptPushesTheRestOfAThreadBackByItsOwnTime) {
  Rig r;
  const models::PathId work = r.paths.id("work");
  Picos thread_done = -1;
  Thread* t = r.cpus.create_thread("t", [&] {
    return Work{[&](int cpu) { r.cpus.run(cpu, work, 10, 0); }, [&] { thread_done = r.calendar.now(); }};
  }, 0);
  r.cpus.wake(t, -1);  // starts at once: schedule (1000) + 10 x 1000 cycles = 11 us
  r.calendar.schedule(2 * models::kPicosPerMicro, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, 3, 0); }, {}});  // 3 us
  });
  r.run_all();
  EXPECT_EQ(thread_done, 14 * models::kPicosPerMicro);
  EXPECT_EQ(r.cpus.preemptions(), 1u);
}

// A thread that last ran on CPU1 and records where it runs next; and work that wakes it.
struct Sleeper {
  explicit Sleeper(Rig& r)
      : thread(r.cpus.create_thread("sleeper", [this] { return Work{[this](int cpu) { ran_on = cpu; }, {}}; }, 1)),
        waking(Work{[&r, this](int cpu) {
                      r.cpus.run(cpu, r.paths.id("work"), 1, 0);
                      r.cpus.wake(thread, cpu);
                    },
                    {}}) {}
  int ran_on = -1;
  Thread* thread;
  Work waking;
};

TEST(CpuSet, WakingAThreadForAnotherIdleCpuSendsAnIpi) {
  Rig r;
  Sleeper sleeper(r);
  // A softirq on CPU0 wakes it: CPU0 returns to its idle loop without calling schedule().
  r.cpus.raise_softirq(0, sleeper.waking);
  r.run_all();
  EXPECT_EQ(sleeper.ran_on, 1);
  EXPECT_EQ(r.cpus.ipis(), 1u);
}

TEST(CpuSet, AWakeUpsIpiLeavesAtTheWakeUpNotAtTheEndOfTheWakersWork) {
  // 2.4's reschedule_idle sends the IPI from inside try_to_wake_up: the softirq goes on with its
  // other frames while the woken thread starts on CPU1.
  Rig r;
  Picos ran_at = -1;
  int ran_on = -1;
  Thread* sleeper = r.cpus.create_thread("sleeper", [&] {
    return Work{[&](int cpu) {
                  ran_on = cpu;
                  ran_at = r.calendar.now();
                },
                {}};
  }, 1);
  Picos waker_done = -1;
  r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                 r.cpus.run(cpu, r.paths.id("work"), 1, 0);
                                 r.cpus.wake(sleeper, cpu);
                                 r.cpus.run(cpu, r.paths.id("work"), 5, 0);
                               },
                               [&] { waker_done = r.calendar.now(); }});
  r.run_all();
  // The IPI leaves at 3 us (the work before it, the wake-up and the write of the ICR that sends
  // it); CPU1 takes it (its entry and its handler, 2 us) and schedules into the sleeper at 5 us,
  // while CPU0 works until 8 us.
  EXPECT_EQ(ran_on, 1);
  EXPECT_EQ(ran_at, 5 * models::kPicosPerMicro);
  EXPECT_EQ(waker_done, 8 * models::kPicosPerMicro);
}

TEST(CpuSet, AThreadThatSleepsAfterAWakeUpLetsItsCpuTakeTheWokenThread) {
  Rig r;
  Sleeper sleeper(r);
  Thread* waker = r.cpus.create_thread("waker", [&] { return sleeper.waking; }, 0);
  r.cpus.wake(waker, -1);
  r.run_all();
  // The wake-up ends the waker's run, so its IPI leaves then; CPU0 is in schedule() first, and 2.4
  // lets it take any runnable thread: the woken one migrates, the IPI finds nothing to do.
  EXPECT_EQ(sleeper.ran_on, 0);
  EXPECT_EQ(r.cpus.ipis(), 1u);
}

TEST(CpuSet, AThreadWokenWhileItRunsRunsAgain) {
  Rig r;
  int runs = 0;
  Thread* t = nullptr;
  t = r.cpus.create_thread("t", [&] {
    return Work{[&](int) {
                  if (++runs == 1) r.cpus.wake(t, -1);
                },
                {}};
  }, 0);
  r.cpus.wake(t, -1);
  r.run_all();
  EXPECT_EQ(runs, 2);
}

// Linux 2.4.18's goodness() terms (models/params/kernel/linux-2.4-objects.json): a 6-tick slice,
// 20 - nice, PROC_CHANGE_PENALTY 15, 1 for the same address space.
constexpr SchedulerWeights kLinux24{6, 20, 15, 1};
constexpr Picos kTick = 10 * models::kPicosPerMicro;  // ticks at 5, 15, 25, ... us on one CPU

// On one CPU with ticks: `busy` never sleeps (each 5 us run wakes it again) until `late`, woken
// at `wake_at`, gets the CPU; when that was is `late_start`. With `packet_engine`, a CPU outside
// the set whose resident thread has spent its slice (a SCHED_OTHER PPE) is there too.
struct Contest {
  Contest(Rig& r, Picos wake_at, bool packet_engine = false) {
    r.cpus.set_scheduler_weights(kLinux24);
    r.cpus.start_local_timers(kTick, r.paths.id("work"));
    if (packet_engine) {
      Thread* resident = r.cpus.add_foreign_cpu("ppe", [this] { ++engine_ipis; });
      for (int i = 0; i < kLinux24.timeslice_ticks; ++i) r.cpus.tick_foreign(resident);
    }
    busy = r.cpus.create_thread("busy", [this, &r] {
      return Work{[this, &r](int cpu) {
                    r.cpus.run(cpu, r.paths.id("work"), 5, 0);
                    if (late_start < 0) r.cpus.wake(busy, cpu);
                  },
                  {}};
    }, 0);
    late = r.cpus.create_thread("late", [this, &r] {
      return Work{[this, &r](int) {
                    late_start = r.calendar.now();
                    switches_before_late = r.cpus.context_switches();
                  },
                  {}};
    }, 0);
    r.cpus.wake(busy, -1);
    r.calendar.schedule(wake_at, [this, &r] { r.cpus.wake(late, -1); });
    r.run_until(200 * models::kPicosPerMicro);
  }
  Thread* busy = nullptr;
  Thread* late = nullptr;
  Picos late_start = -1;
  std::uint64_t switches_before_late = 0;  // context switches up to `late`'s own
  int engine_ipis = 0;
};

TEST(CpuSet, AThreadThatNeverSleepsYieldsOnlyWhenItsTimeSliceIsSpent) {
  Rig r(1);
  // Woken at 1 us with a full slice it ties with `busy` (42 each): no preemption. `busy` spends
  // its sixth tick at 55 us and yields when that run returns.
  Contest c(r, models::kPicosPerMicro);
  EXPECT_GT(c.late_start, 55 * models::kPicosPerMicro);
  EXPECT_LT(c.late_start, 65 * models::kPicosPerMicro);
  EXPECT_EQ(c.switches_before_late, 2u);  // to `busy` once, then to `late`: no switch between runs
}

TEST(CpuSet, AWokenThreadThatOutranksTheRunningOneTakesTheCpuAtItsNextReturn) {
  Rig r(1);
  // At 27 us `busy` has 3 ticks left (goodness 39) against `late`'s 6 (42): its CPU is told to
  // reschedule, and `late` runs once the current 5 us run returns.
  Contest c(r, 27 * models::kPicosPerMicro);
  EXPECT_GE(c.late_start, 27 * models::kPicosPerMicro);
  EXPECT_LT(c.late_start, 35 * models::kPicosPerMicro);
}

TEST(CpuSet, APacketEngineWhoseSliceIsSpentDrawsTheWakeUpAndItsIpiInstead) {
  Rig r(1);
  // As above, but 2.4's reschedule_idle weighs the engine's CPU too: its thread's goodness is 0,
  // so `late` out-ranks it most (27 against 3). The engine gets an IPI it never acts on, the host
  // CPU is not told, and `late` waits until `busy` has spent its own slice.
  Contest c(r, 27 * models::kPicosPerMicro, true);
  EXPECT_EQ(c.engine_ipis, 1);
  EXPECT_GT(c.late_start, 55 * models::kPicosPerMicro);
  EXPECT_LT(c.late_start, 65 * models::kPicosPerMicro);
}

TEST(CpuSet, AnInterruptClearsWhatItInterruptsNotAHaltedCpu) {
  Rig r;
  r.cost.set_counting(true);
  const models::PathId work = r.paths.id("work");
  const auto clears = [&](models::Bin b) { return at(r.cost.counters(0), b).clears; };
  r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, 1, 0); }, {}});  // CPU0 sits in hlt
  r.run_all();
  EXPECT_EQ(clears(models::Bin::Idle) + clears(models::Bin::Tcp) + clears(models::Bin::Interface), 0);
  Thread* t = r.cpus.create_thread("t", [&] {
    return Work{[&](int cpu) { r.cpus.run(cpu, work, 10, 0); }, {}};
  }, 0);
  r.cpus.wake(t, -1);
  const Picos at_2us = r.calendar.now() + 2 * models::kPicosPerMicro;
  r.calendar.schedule(at_2us, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, 3, 0); }, {}});
  });
  // Arrives while the handler runs with interrupts off: taken as it returns to the thread.
  r.calendar.schedule(at_2us + models::kPicosPerMicro, [&] { r.cpus.raise_irq(0, Work{}); });
  r.run_all();
  EXPECT_EQ(clears(models::Bin::Tcp), 2);
  EXPECT_EQ(clears(models::Bin::Idle), 0);
}

TEST(CpuSet, AnInterruptHeldDuringAHandlerFlushesTheSoftirqEntryOrWhatTheHandlerReturnsTo) {
  // On an idle CPU a 3 us handler runs; another interrupt comes 1 us in and waits for it. If the
  // handler raised a softirq, 2.4's do_IRQ ends in do_softirq with interrupts on: the clear is
  // there (the rig's softirq entry is in TCP); if not, the handler returns into the idle loop.
  for (const bool softirq : {true, false}) {
    Rig r;
    r.cost.set_counting(true);
    r.cpus.raise_irq(0, Work{[&](int cpu) {
                               r.cpus.run(cpu, r.paths.id("irq_entry"), 3, 0);
                               if (softirq) r.cpus.raise_softirq(cpu, Work{[](int) {}, {}});
                             },
                             {}});
    r.calendar.schedule(models::kPicosPerMicro, [&] { r.cpus.raise_irq(0, Work{}); });
    r.run_all();
    const auto clears = [&](models::Bin b) { return at(r.cost.counters(0), b).clears; };
    EXPECT_EQ(clears(models::Bin::Tcp), softirq ? 1 : 0) << softirq;
    EXPECT_EQ(clears(models::Bin::Idle), softirq ? 0 : 1) << softirq;
  }
}

TEST(CpuSet, ATimerTickOrIpiNestsIntoADevicesHandlerAnotherDevicesWaitsForIt) {
  // 2.4 runs a device's handler with interrupts on; the local APIC holds another device's
  // interrupt until the handler's EOI, but not the timer's or an IPI's (higher priority classes).
  // A 3 us device handler starts at 0; 1 us in comes a 1 us interrupt of either kind.
  for (const bool above_devices : {true, false}) {
    Rig r;
    r.cost.set_counting(true);
    Picos device_done = -1;
    Picos other_done = -1;
    r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, r.paths.id("irq_entry"), 3, 0); },
                             [&] { device_done = r.calendar.now(); }});
    r.calendar.schedule(models::kPicosPerMicro, [&] {
      r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, r.paths.id("work"), 1, 0); },
                               [&] { other_done = r.calendar.now(); },
                               "other",
                               above_devices});
    });
    r.run_all();
    if (above_devices) {
      EXPECT_EQ(other_done, 2 * models::kPicosPerMicro);
      EXPECT_EQ(device_done, 4 * models::kPicosPerMicro);
      // It flushed the handler it nested into, not where the handler returns.
      EXPECT_EQ(at(r.cost.counters(0), models::Bin::Interface).clears, 1);
    } else {
      EXPECT_EQ(device_done, 3 * models::kPicosPerMicro);
      EXPECT_EQ(other_done, 4 * models::kPicosPerMicro);
      EXPECT_EQ(at(r.cost.counters(0), models::Bin::Idle).clears, 1);
    }
  }
}

TEST(CpuSet, AHandlerThatGoesOnRunsBeforeAnotherDevicesInterruptAndItsSoftirqWithNoNewEntry) {
  // A 2 us device handler raises a softirq and, at its end, goes on for 1 us more (e1000_intr's
  // loop finding more work). Another device's interrupt comes 1 us in: it waits for the whole
  // handler, then the softirq runs. The handler's going on counts no interrupt and clears nothing.
  Rig r;
  r.cost.set_counting(true);
  const models::PathId work = r.paths.id("work");
  Picos went_on = -1;
  Picos other = -1;
  Picos softirq = -1;
  r.cpus.raise_irq(0, Work{[&](int cpu) {
                             r.cpus.run(cpu, r.paths.id("irq_entry"), 2, 0);
                             r.cpus.raise_softirq(cpu, Work{[&](int) { softirq = r.calendar.now(); }, {}});
                             r.cpus.defer(cpu, [&] {
                               r.cpus.continue_irq(0, Work{[&](int on) { r.cpus.run(on, work, 1, 0); },
                                                           [&] { went_on = r.calendar.now(); }});
                             });
                           },
                           {}});
  r.calendar.schedule(models::kPicosPerMicro,
                      [&] { r.cpus.raise_irq(0, Work{{}, [&] { other = r.calendar.now(); }}); });
  r.run_all();
  EXPECT_EQ(went_on, 3 * models::kPicosPerMicro);
  EXPECT_EQ(other, 3 * models::kPicosPerMicro);
  EXPECT_EQ(softirq, 3 * models::kPicosPerMicro);
  EXPECT_EQ(r.cpus.events(0).interrupts, 2u);
  // The held interrupt's clear only (the first came to a halted CPU).
  double clears = 0;
  for (const auto& b : r.cost.counters(0)) clears += b.clears;
  EXPECT_EQ(clears, 1);
}

TEST(CpuSet, ASwitchClearsOnlyWhenItLoadsAnotherAddressSpace) {
  Rig r;
  r.cost.set_counting(true);
  const auto body = [] { return Work{[](int) {}, {}}; };
  Thread* kthread = r.cpus.create_thread("kthread", body, 0);
  Thread* user_a = r.cpus.create_thread("user_a", body, 0, 7);
  Thread* user_b = r.cpus.create_thread("user_b", body, 0, 7);
  for (Thread* t : {kthread, user_a, kthread, user_b, kthread}) {
    r.cpus.wake(t, -1);
    r.run_all();
  }
  // Each thread's run is two switches: from the idle task to it, and back as it sleeps.
  EXPECT_EQ(r.cpus.context_switches(), 10u);
  // One CR3 load: the first user thread's; the kernel thread borrows it, user_b shares it.
  EXPECT_EQ(at(r.cost.counters(0), models::Bin::Interface).clears, 1);
}

TEST(CpuSet, ASleepOnAnIdleCpuSwitchesToTheIdleTaskAndBackEvenToTheSameThread) {
  // 2.4's schedule() switches to the idle task when nothing else is runnable, and the idle loop's
  // schedule() switches back: two switches for a sleep, though the same thread runs again.
  Rig r;
  r.cost.set_counting(true);
  const models::PathId work = r.paths.id("work");
  Thread* t = r.cpus.create_thread("t", [&r, work] { return Work{[&r, work](int cpu) { r.cpus.run(cpu, work, 1, 0); }, {}}; }, 0);
  r.cpus.wake(t, -1);
  r.run_all();
  const double one_sleep = at(r.cost.counters(0), models::Bin::Interface).cycles;
  EXPECT_EQ(r.cpus.context_switches(), 2u);
  r.cpus.wake(t, -1);
  r.run_all();
  EXPECT_EQ(r.cpus.context_switches(), 4u);
  EXPECT_EQ(r.cpus.events(0).context_switches, 4u);
  EXPECT_GT(at(r.cost.counters(0), models::Bin::Interface).cycles, 1.5 * one_sleep);
}

TEST(CpuSet, AThreadThatMovesFetchesItsKernelStackFromTheCpuItLeft) {
  // Linux 2.4 on i386: a task's frames are on its own kernel stack, and an interrupt pushes its
  // frames there too, below the interrupted task's. After a move, both come from the old CPU.
  Rig r;
  r.cpus.set_scheduler_objects(r.memory, TaskObjectBytes{0, 512, 256, 0});
  r.cost.set_counting(true);
  const models::PathId work = r.paths.id("work");
  const auto body = [&r, work](double calls) {
    return [&r, work, calls] { return Work{[&r, work, calls](int cpu) { r.cpus.run(cpu, work, calls, 0); }, {}}; };
  };
  const auto interrupt_at = [&r](int cpu, Picos at) {
    r.calendar.schedule(at, [&r, cpu] {
      r.cpus.raise_irq(cpu, Work{[&r](int on) { r.cpus.run(on, r.paths.id("irq_entry"), 1, 0, {r.cpus.interrupt_frames(on)}); },
                                 {}});
    });
  };
  const auto peer_misses = [&r](int cpu) { return at(r.cost.counters(cpu), models::Bin::Interface).cache_to_cache_lines; };
  Thread* t = r.cpus.create_thread("t", body(10), 1);
  r.cpus.wake(t, -1);  // on CPU1, its last; an interrupt 5 us in writes its frames there
  interrupt_at(1, 5 * models::kPicosPerMicro);
  r.run_all();
  EXPECT_EQ(peer_misses(1), 0);
  // With CPU1 busy, t wakes on CPU0: switch_to resumes it through its 8 lines of frames, and an
  // interrupt writes its 4 lines of frames, all Modified in CPU1's cache.
  Thread* hog = r.cpus.create_thread("hog", body(100), 1);
  r.cpus.wake(hog, -1);
  const Picos now = r.calendar.now();
  r.calendar.schedule(now + models::kPicosPerMicro, [&] { r.cpus.wake(t, -1); });
  interrupt_at(0, now + 5 * models::kPicosPerMicro);
  r.run_all();
  EXPECT_EQ(t->last_cpu(), 0);
  EXPECT_EQ(peer_misses(0), 8 + 4);
  EXPECT_EQ(peer_misses(1), 0);
}

TEST(CpuSet, AWakerOnAnotherCpuFetchesTheSleepersWaitQueueAndItsEntry) {
  // __wake_up locks the wait-queue head the thread sleeps on and reads its wait_queue_t, which
  // lives in the frames it slept in: both were last written on the sleeper's CPU.
  Rig r;
  r.cpus.set_scheduler_objects(r.memory, TaskObjectBytes{0, 512, 0, 12});
  r.cost.set_counting(true);
  Sleeper sleeper(r);
  r.cpus.wake(sleeper.thread, -1);  // runs on CPU1, its last: resumes through its frames there
  r.run_all();
  ASSERT_EQ(sleeper.ran_on, 1);
  const double before = at(r.cost.counters(0), models::Bin::Interface).cache_to_cache_lines;
  r.cpus.raise_softirq(0, sleeper.waking);
  r.run_all();
  EXPECT_EQ(at(r.cost.counters(0), models::Bin::Interface).cache_to_cache_lines - before, 2);
}

TEST(CpuSet, DeferredEffectsRunOnceInOrderWhenTheirOwnWorkFinishes) {
  Rig r;
  const models::PathId work = r.paths.id("work");
  std::vector<std::pair<int, Picos>> ran;  // (effect, when)
  const auto effect = [&](int id) { return [&ran, &r, id] { ran.emplace_back(id, r.calendar.now()); }; };
  r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                 r.cpus.run(cpu, work, 2, 0);  // 2 us
                                 r.cpus.defer(cpu, effect(1));
                                 r.cpus.defer(cpu, effect(2));
                               },
                               {}});
  // The next work on that CPU reuses the first's storage: only its own effect runs at its end.
  r.calendar.schedule(5 * models::kPicosPerMicro, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) {
                               r.cpus.run(cpu, work, 1, 0);  // 1 us
                               r.cpus.defer(cpu, effect(3));
                             },
                             {}});
  });
  r.run_all();
  const std::vector<std::pair<int, Picos>> expected{
      {1, 2 * models::kPicosPerMicro}, {2, 2 * models::kPicosPerMicro}, {3, 6 * models::kPicosPerMicro}};
  EXPECT_EQ(ran, expected);
}

TEST(CpuSet, AnEffectDueAtAPointOfItsWorkComesWhenTheWorkHasGotThereInterruptsIncluded) {
  // A segment leaves as soon as the sendmsg or softirq has built it: 2 us into a 6 us piece, then
  // 5 us into it; an interrupt from 1 us to 4 us pushes both back by its 3 us, and an effect due
  // at the piece's end comes with its completion.
  Rig r;
  const models::PathId work = r.paths.id("work");
  std::vector<std::pair<int, Picos>> ran;
  const auto effect = [&](int id) { return [&ran, &r, id] { ran.emplace_back(id, r.calendar.now()); }; };
  r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                 r.cpus.run(cpu, work, 2, 0);
                                 r.cpus.defer_at_done(cpu, effect(1));
                                 r.cpus.run(cpu, work, 3, 0);
                                 r.cpus.defer_at_done(cpu, effect(2));
                                 r.cpus.run(cpu, work, 1, 0);
                                 r.cpus.defer_at_done(cpu, effect(3));
                               },
                               {}});
  r.calendar.schedule(1 * models::kPicosPerMicro, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, 3, 0); }, {}});
  });
  // Outside any work on that CPU, it is an effect of whatever work runs there next, at its end.
  r.cpus.defer_at_done(1, effect(4));
  r.run_all();
  const std::vector<std::pair<int, Picos>> expected{
      {1, 5 * models::kPicosPerMicro}, {2, 8 * models::kPicosPerMicro}, {3, 9 * models::kPicosPerMicro}};
  EXPECT_EQ(ran, expected);
}

TEST(CpuSet, AWakeUpDoneLastIsChargedToItsWorkButRunnableOnlyWhenThatWorkEnds) {
  // end_kio_request wakes a raw I/O's sleeper once the command's buffer_heads are ended: a CPU
  // that schedules while the completing work still runs does not find it yet.
  for (const bool when_done : {false, true}) {
    Rig r;
    const models::PathId work = r.paths.id("work");
    Picos woken_starts = -1;
    Thread* woken = r.cpus.create_thread("woken", [&] { return Work{[&](int) { woken_starts = r.calendar.now(); }, {}}; }, 1);
    Thread* busy = r.cpus.create_thread("busy", [&] { return Work{[&](int cpu) { r.cpus.run(cpu, work, 3, 0); }, {}}; }, 1);
    r.cpus.wake(busy, -1);  // CPU1 schedules it, runs it 3 us and schedules again while CPU0 works
    Picos waker_done = -1;
    r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                   r.cpus.run(cpu, work, 5, 0);
                                   if (when_done)
                                     r.cpus.wake_when_done(woken, cpu);
                                   else
                                     r.cpus.wake(woken, cpu);
                                 },
                                 [&] { waker_done = r.calendar.now(); }});
    r.run_all();
    EXPECT_EQ(waker_done, 6 * models::kPicosPerMicro);  // its 5 us and the wake-up's 1 us either way
    if (when_done)
      EXPECT_GE(woken_starts, waker_done);
    else
      EXPECT_LT(woken_starts, waker_done);
  }
}

TEST(CpuSet, WorkLeftToAnotherCpusPieceTakesItsLinesWhenThatPieceEndsNotWhenItIsLeft) {
  // A segment for a socket that a thread on CPU1 holds waits on the backlog, and that thread
  // processes it at its release_sock: its lines move then, not while the bottom half on CPU0,
  // which left it there, still has loads in flight on them.
  models::CpuParams p = Rig::params();
  p.snoop_clear_per_line = 1;
  p.loads_in_flight = 8;
  p.window_uops = 1e9;  // a load stays exposed all along its path
  Rig r(2, {}, p);
  r.cost.set_counting(true);
  const models::PathId work = r.paths.id("work");
  const models::Addr line = r.memory.region(64);
  Picos owner_done = -1;
  Thread* owner = r.cpus.create_thread("owner", [&] {
    return Work{[&](int cpu) { r.cpus.run(cpu, work, 10, 0); }, [&] { owner_done = r.calendar.now(); }};
  }, 1);
  r.cpus.wake(owner, -1);  // CPU1 idle: schedule (1 us), then 10 us of work, done at 11 us
  r.calendar.schedule(2 * models::kPicosPerMicro, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) {
                                r.cpus.run(cpu, work, 1, 0, {{line, 64, true}});  // loads and stores, 2-3 us
                                r.cpus.run_for(1, work, 1, {{line, 64, true}});
                              },
                              {}});
  });
  r.run_all();
  // The owner's piece takes the work on: 1 us more, and the line's transfer.
  EXPECT_GE(owner_done, 12 * models::kPicosPerMicro);
  EXPECT_LT(owner_done, 13 * models::kPicosPerMicro);
  EXPECT_EQ(at(r.cost.counters(0), models::Bin::Tcp).clears, 0);  // CPU0's loads were done by then
  EXPECT_EQ(at(r.cost.counters(1), models::Bin::Tcp).cache_to_cache_lines, 1);  // the line moved all the same
}

}  // namespace
}  // namespace iscsim::host::kernel
