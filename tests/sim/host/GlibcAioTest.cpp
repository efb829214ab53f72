// glibc's POSIX AIO under LinuxThreads, as dynamo's workers use it on Linux 2.4: a worker's
// requests enter the kernel one at a time (its helper's raw I/O blocks until it ends) while two
// workers' run side by side; every I/O the helper finishes restarts the worker by a signal, and
// the helper needs a signal of its own only when the worker had nothing queued for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "sim/host/kernel/GlibcAio.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

struct AioRig {
  AioRig()
      : r(2, {"syscall", "signal_send", "signal_deliver", "aio_request", "aio_notify", "dynamo_io"}),
        aio(r.cpus, r.kernel, 0, [this](int, std::size_t file, stack::iscsi::ScsiRequest) { started.push_back(file); }) {
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
  Rig r;
  GlibcAio aio;
  std::vector<std::size_t> started;  // the files whose raw I/O began, in order
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

}  // namespace
}  // namespace iscsim::host::kernel
