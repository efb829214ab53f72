// Linux 2.4.17's do_softirq and ksoftirqd on hand-timed work: a vector raised again by an
// interrupt taken inside the softirq that ran it wakes the CPU's ksoftirqd once the softirq is
// done; the interrupt that begins the softirq, or its own next pass, does not; ksoftirqd runs on
// its CPU alone, and waits for that CPU's thread instead of preempting it; one already runnable is
// not woken again.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

using models::Picos;

constexpr int kNetRx = 2;  // NET_RX_SOFTIRQ
constexpr Picos kMicro = models::kPicosPerMicro;

// A NIC interrupt on CPU0 at `at`: 1 us of handler that queues frames (NET_RX raised), and
// `softirq_calls` us of NET_RX for them; with `second_pass`, e1000_intr's loop goes round once
// more in the same interrupt, raising NET_RX again before its softirq begins.
void nic_interrupt(Rig& r, Picos at, double softirq_calls, bool second_pass = false) {
  r.calendar.schedule(at, [&r, softirq_calls, second_pass] {
    r.cpus.raise_irq(0, Work{[&r, softirq_calls, second_pass](int cpu) {
                              r.cpus.run(cpu, r.paths.id("work"), 1, 0);
                              r.cpus.mark_softirq_pending(cpu, kNetRx);
                              r.cpus.raise_softirq(cpu, Work{[&r, softirq_calls](int on) {
                                                               r.cpus.run(on, r.paths.id("work"), softirq_calls, 0);
                                                             },
                                                             {}});
                              if (!second_pass) return;
                              r.cpus.defer(cpu, [&r, cpu] {
                                r.cpus.continue_irq(cpu, Work{[&r](int on) {
                                                                r.cpus.run(on, r.paths.id("work"), 1, 0);
                                                                r.cpus.mark_softirq_pending(on, kNetRx);
                                                              },
                                                              {}});
                              });
                            },
                            {}});
  });
}

// ksoftirqd_CPUn's runs and cycles per CPU while counting, or none.
ThreadUsage ksoftirqd(const Rig& r, int cpu) {
  for (const ThreadUsage& u : r.cpus.thread_usage())
    if (u.name == "ksoftirqd_CPU" + std::to_string(cpu)) return u;
  return {};
}

// 2.4.18's goodness() terms, each CPU's ksoftirqd at nice 19 (a 1-tick slice), counting on.
void linux_24(Rig& r) {
  r.cpus.set_scheduler_weights(SchedulerWeights{6, 20, 15, 1});
  r.cpus.start_ksoftirqd(19, 1);
  r.cost.set_counting(true);
}

TEST(CpuSetSoftirq, ASoftirqAnInterruptPreemptsResumesBeforeTheOneTheInterruptQueues) {
  // do_softirq returns at once inside another softirq: the softirq work an interrupt queues over
  // a preempted one runs after it, never on top of it (on top, a saturated CPU's stack grew).
  Rig r;
  const models::PathId work = r.paths.id("work");
  const auto now_us = [&r] { return static_cast<double>(r.calendar.now()) / static_cast<double>(kMicro); };
  double first = -1, second = -1;
  r.cpus.raise_softirq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, 10, 0); }, [&] { first = now_us(); }});
  r.calendar.schedule(2 * kMicro, [&] {
    r.cpus.raise_irq(0, Work{[&](int cpu) {
                              r.cpus.run(cpu, work, 1, 0);
                              r.cpus.raise_softirq(cpu, Work{[&](int on) { r.cpus.run(on, work, 1, 0); },
                                                             [&] { second = now_us(); }});
                            },
                            {}});
  });
  r.run_all();
  ASSERT_GT(first, 0);
  EXPECT_GT(second, first);
}

TEST(CpuSetSoftirq, AnInterruptInsideTheSoftirqThatRaisesItsVectorAgainWakesKsoftirqdOnItsCpu) {
  Rig r;
  linux_24(r);
  nic_interrupt(r, 0, 5);                // handler 0-1 us, NET_RX 1-6 us
  nic_interrupt(r, 3 * kMicro, 1);       // inside it: NET_RX raised again
  r.run_all();
  const ThreadUsage k0 = ksoftirqd(r, 0);
  EXPECT_EQ(k0.runs, 1u);
  ASSERT_EQ(k0.cycles.size(), 2u);
  EXPECT_GT(k0.cycles[0], 0.0);
  EXPECT_EQ(k0.cycles[1], 0.0);  // bound to CPU0, though CPU1 idles
  EXPECT_EQ(ksoftirqd(r, 1).runs, 0u);
  EXPECT_EQ(r.cpus.ipis(), 0u);
}

TEST(CpuSetSoftirq, NeitherTheInterruptThatBeginsTheSoftirqNorItsOwnNextPassWakesKsoftirqd) {
  Rig r;
  linux_24(r);
  nic_interrupt(r, 0, 5, true);            // two passes, each raising NET_RX, then the softirq
  nic_interrupt(r, 20 * kMicro, 2);        // after that softirq is over: a softirq of its own
  r.run_all();
  EXPECT_EQ(ksoftirqd(r, 0).runs, 0u);
}

TEST(CpuSetSoftirq, KsoftirqdWaitsForItsCpusThreadInsteadOfPreemptingItOrMovingToAnIdleCpu) {
  Rig r;
  linux_24(r);
  Picos thread_done = -1;
  Thread* t = r.cpus.create_thread("reader", [&] {
    return Work{[&](int cpu) { r.cpus.run(cpu, r.paths.id("work"), 20, 0); }, [&] { thread_done = r.calendar.now(); }};
  }, 0);
  r.cpus.wake(t, -1);                      // schedule 0-1 us, then 20 us of work on CPU0
  nic_interrupt(r, 2 * kMicro, 5);         // preempts it: 1 us handler, 5 us NET_RX
  nic_interrupt(r, 4 * kMicro, 1);         // inside that NET_RX: 2 us more
  r.run_all();
  // The reader resumes once the interrupts' 9 us are done, unpreempted by ksoftirqd.
  EXPECT_EQ(thread_done, 30 * kMicro);
  EXPECT_EQ(ksoftirqd(r, 0).runs, 1u);
  EXPECT_EQ(r.cpus.ipis(), 0u);
}

// The pieces the CPUs run, by name (one track for all).
struct PieceNames : world::Timeline {
  std::vector<std::string> names;
  world::TimelineTrack track(const std::string&, const std::string&) override { return {}; }
  void slice(world::TimelineTrack, const world::WorkSlice& s) override { names.emplace_back(s.name); }
  void instant(world::TimelineTrack, Picos, std::string_view, std::string_view) override {}
  void counter(world::TimelineTrack, Picos, std::string_view, std::string_view, double) override {}
};

TEST(CpuSetSoftirq, AKsoftirqdAlreadyRunnableIsNotWokenAgain) {
  Rig r;
  linux_24(r);
  PieceNames pieces;
  r.cpus.trace_to(&pieces, {world::TimelineTrack{}, world::TimelineTrack{}}, world::TimelineTrack{});
  Thread* t = r.cpus.create_thread("reader", [&] { return Work{[&](int cpu) { r.cpus.run(cpu, r.paths.id("work"), 40, 0); }, {}}; }, 0);
  r.cpus.wake(t, -1);                      // 40 us of work on CPU0
  nic_interrupt(r, 2 * kMicro, 5);         // 1 us handler, 5 us NET_RX
  nic_interrupt(r, 4 * kMicro, 1);         // inside it: wakes ksoftirqd, which waits its turn
  nic_interrupt(r, 20 * kMicro, 5);        // again, with ksoftirqd runnable on the runqueue:
  nic_interrupt(r, 22 * kMicro, 1);        // wakeup_softirqd leaves it be
  r.run_all();
  EXPECT_EQ(std::count(pieces.names.begin(), pieces.names.end(), "wakeup_softirqd"), 1);
  EXPECT_EQ(ksoftirqd(r, 0).runs, 1u);
  EXPECT_EQ(r.cost.tallies(0)[r.paths.id("wake_up")].calls, 1);
}

}  // namespace
}  // namespace iscsim::host::kernel
