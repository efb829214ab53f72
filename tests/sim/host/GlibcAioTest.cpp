// glibc's POSIX AIO under LinuxThreads, as dynamo's workers use it on Linux 2.4: a worker's
// requests enter the kernel one at a time (its helper's raw I/O blocks until it ends) while two
// workers' run side by side; every I/O the helper finishes restarts the worker by a signal, and
// the helper needs a signal of its own only when the worker had nothing queued for it; a timed
// wait costs LinuxThreads' system calls and a kernel timer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "sim/host/kernel/GlibcAio.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

// 2.4's timer lists with HZ=100.
constexpr TimerWheelLayout kTimers{20, 8, 256, 64, 4};
constexpr models::Picos kAioJiffy = 10 * 1000 * models::kPicosPerMicro;

struct AioRig {
  // `bytes`: what of glibc's AIO data the cache model sees (none by default); `waits`: how the
  // threads wait (untimed by default).
  explicit AioRig(AioObjectBytes bytes = {}, models::CpuParams cpu = Rig::params(), TimedWaits waits = {})
      : r(2, {"syscall", "signal_send", "signal_deliver", "aio_request", "aio_notify", "dynamo_io", "mod_timer"}, cpu),
        timers(r.memory, kTimers, kAioJiffy),
        aio(r.cpus, r.kernel, 0, r.memory, bytes, bytes.globals > 0 ? r.memory.region(bytes.globals) : 0, waits, timers,
            [this](int, std::size_t file, stack::iscsi::ScsiRequest) { started.push_back(file); },
            [this](int, std::size_t file) { finished.push_back(file); }) {
    r.cost.set_counting(true);
  }
  // The raw I/O of `file` ends in a softirq on CPU0; with `next`, the workload asks for another
  // first, as IOmeter does when it hears of a completion.
  void complete(std::size_t file, bool next) {
    r.cpus.raise_softirq(0, Work{[this, file, next](int cpu) {
                                   if (next) aio.submit(file, {});
                                   aio.io_done(cpu, file);
                                 },
                                 {}});
    r.run_all();
  }
  double calls(const char* path) const {
    double n = 0;
    for (int cpu = 0; cpu < r.cpus.cpus(); ++cpu) n += r.cost.tallies(cpu)[r.paths.id(path)].calls;
    return n;
  }
  double misses(int cpu, const char* path) const { return r.cost.tallies(cpu)[r.paths.id(path)].l2_misses; }
  Rig r;
  TimerWheel timers;
  GlibcAio aio;
  std::vector<std::size_t> started;  // the files whose raw I/O began, in order
  std::vector<std::size_t> finished;  // the files whose helper returned from its raw I/O, in order
};

TEST(GlibcAio, AWorkersRequestsEnterTheKernelOneAtATimeBesideAnotherWorkers) {
  AioRig a;
  for (int i = 0; i < 3; ++i) a.aio.submit(0, {});
  a.aio.submit(1, {});
  a.r.run_all();
  ASSERT_EQ(a.started.size(), 2u);  // one of worker 0's, and worker 1's
  a.complete(0, false);
  a.complete(0, false);
  a.complete(0, false);
  EXPECT_EQ(a.started.size(), 4u);
  EXPECT_EQ(std::count(a.started.begin(), a.started.end(), 0u), 3);
  EXPECT_EQ(a.started.back(), 0u);
  // Each ended I/O returns to its helper's system call once, when the helper runs.
  EXPECT_EQ(a.finished, (std::vector<std::size_t>{0, 0, 0}));
}

TEST(GlibcAio, EachIoRestartsTheWorkerAndAnIdleHelperTakesASignalToo) {
  // One request outstanding: the worker asks only once the last one is back, so the helper has
  // gone to sleep and must be restarted as well: two signals an I/O.
  AioRig one;
  one.aio.submit(0, {});
  one.r.run_all();
  one.complete(0, true);
  ASSERT_EQ(one.started.size(), 2u);
  EXPECT_EQ(one.calls("signal_send"), 3);     // worker -> helper, helper -> worker, worker -> helper
  EXPECT_EQ(one.calls("signal_deliver"), 3);
  // Two outstanding: the helper finds the next request queued and goes straight on.
  AioRig two;
  two.aio.submit(0, {});
  two.aio.submit(0, {});
  two.r.run_all();
  two.complete(0, true);
  ASSERT_EQ(two.started.size(), 2u);
  EXPECT_EQ(two.calls("signal_send"), 2);  // worker -> helper, helper -> worker
  EXPECT_EQ(two.calls("signal_deliver"), 2);
  EXPECT_EQ(two.calls("aio_notify"), 1);
  EXPECT_EQ(two.calls("aio_request"), 3);
}

TEST(GlibcAio, TheRequestsLinesHitWhereTheThreadsRanAndMoveWithThem) {
  // Misses from memory counted (no prefetcher) and no code footprint: the lines are all there is.
  models::CpuParams cpu = Rig::params();
  cpu.prefetch_after_misses = 1e9;
  AioRig a({112, 28, 64}, cpu);
  a.aio.submit(0, {});
  a.r.run_all();
  ASSERT_EQ(a.started.size(), 1u);
  // The worker reads its aiocb (two lines), then writes it, its request element and the globals;
  // the helper, run on CPU0 once the worker sleeps, takes the request there: it hits.
  EXPECT_EQ(a.misses(0, "dynamo_io"), 2);
  EXPECT_EQ(a.misses(0, "aio_request"), 2);
  EXPECT_EQ(a.misses(0, "aio_notify"), 0);
  // The I/O ends on CPU0: the helper's result and the worker's next request hit there too, but
  // the worker's restart of the helper, whose pass found nothing queued yet, sends it to the idle
  // CPU1, which takes the request's four lines from CPU0's cache.
  a.complete(0, true);
  ASSERT_EQ(a.started.size(), 2u);
  EXPECT_EQ(a.calls("aio_notify"), 1);
  EXPECT_EQ(a.misses(0, "aio_notify"), 0);
  EXPECT_EQ(a.misses(0, "dynamo_io") + a.misses(0, "aio_request"), 4);
  EXPECT_EQ(a.misses(1, "aio_notify"), 4);
  // Not modelled: nothing touched.
  AioRig off({}, cpu);
  off.aio.submit(0, {});
  off.r.run_all();
  off.complete(0, true);
  EXPECT_EQ(off.misses(0, "dynamo_io") + off.misses(0, "aio_request") + off.misses(1, "aio_notify"), 0);
}

TEST(GlibcAio, ATimedWaitMakesLinuxThreadsSystemCallsAndSleepsOnAKernelTimer) {
  // __pthread_timedsuspend_new: five system calls to the sleep (the caller's gettimeofday,
  // sigsetjmp's and the unblocking sigprocmask, gettimeofday, nanosleep) against sigsuspend's one,
  // nanosleep's timer added, and taken off again when the restart signal wakes the thread; the
  // handler's siglongjmp (a sigprocmask) in place of sigreturn.
  const auto run = [](TimedWaits waits) {
    auto a = std::make_unique<AioRig>(AioObjectBytes{}, Rig::params(), waits);
    a->aio.submit(0, {});
    a->r.run_all();
    a->complete(0, true);
    return a;
  };
  const auto untimed = run({});
  const auto timed = run({5, 1, models::kPicosPerSecond, models::kPicosPerSecond});
  EXPECT_EQ(untimed->calls("mod_timer"), 0);
  const double deliveries = timed->calls("signal_deliver");
  ASSERT_EQ(deliveries, untimed->calls("signal_deliver"));
  // Four more system calls a wait: the worker's two and the helper's one.
  const double sleeps = (timed->calls("syscall") - untimed->calls("syscall")) / 4;
  EXPECT_EQ(sleeps, 3);
  // A timer added for each wait, and taken off by each restart but the helper's first (it had
  // never waited).
  EXPECT_EQ(timed->calls("mod_timer"), sleeps + deliveries - 1);
  EXPECT_EQ(timed->started, untimed->started);
}

}  // namespace
}  // namespace iscsim::host::kernel
