// dynamo's raw I/O through Linux 2.4.18 (drivers/char/raw.c, fs/buffer.c brw_kiovec): each
// worker's open device keeps one kiobuf with its buffer_heads for good, so a worker's next I/O on
// the same CPU finds all it touches in the cache, while another worker's first I/O fetches its
// own; completions come back oldest first and name their worker.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "sim/host/kernel/DynamoIo.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint64_t kIoBytes = 65536;

struct IoRig {
  IoRig() : r(2, {"syscall", "raw_io_map", "submit_bh", "scsi_request", "iscsi_queuecommand", "scsi_done"}, cpu()) {
    io = std::make_unique<DynamoIo>(r.cpus, r.kernel, o, r.memory, r.paths, kIoBytes);
    r.cost.set_counting(true);
  }
  // A prefetcher that needs a miss a page to start: each page a walk enters shows one.
  static models::CpuParams cpu() {
    models::CpuParams p = Rig::params();
    p.prefetch_after_misses = 1;
    return p;
  }
  // The L2 misses of `f` run as a softirq on CPU0.
  double misses_of(const std::function<void(int cpu)>& f) {
    const double before = at(r.cost.counters(0), models::Bin::Interface).l2_misses;
    r.cpus.raise_softirq(0, Work{f, {}});
    r.run_all();
    return at(r.cost.counters(0), models::Bin::Interface).l2_misses - before;
  }
  Rig r;
  // Linux 2.4's object sizes, as the hosts load them.
  KernelObjects o = KernelObjects::from(
      models::ParamSet::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params", "kernel", "linux-2.4-objects"));
  std::unique_ptr<DynamoIo> io;
};

TEST(DynamoIo, AWorkersNextIoFindsItsKiobufWarmAnotherWorkersFetchesItsOwn) {
  IoRig a;
  std::size_t completed = 99;
  a.misses_of([&](int cpu) { a.io->issue(cpu, 3, kIoBytes); });
  a.misses_of([&](int cpu) { completed = a.io->complete(cpu); });
  EXPECT_EQ(completed, 3u);
  EXPECT_EQ(a.misses_of([&](int cpu) { a.io->issue(cpu, 3, kIoBytes); }), 0);
  EXPECT_GT(a.misses_of([&](int cpu) { a.io->issue(cpu, 5, kIoBytes); }), 0);
  std::size_t first = 99;
  std::size_t second = 99;
  a.misses_of([&](int cpu) {
    first = a.io->complete(cpu);
    second = a.io->complete(cpu);
  });
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(second, 5u);
}

}  // namespace
}  // namespace iscsim::host::kernel
