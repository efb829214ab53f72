// OProfile's daemon on a 2.4 host: a CPU's buffer that fills wakes it, one read() copies the
// buffer out, and every sample is filed once; a read of a share of a burst touches that share of
// the sample files' lines.
#include <gtest/gtest.h>

#include "sim/host/kernel/OprofileDaemon.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr std::uint32_t kSampleBytes = 16;

struct DaemonRig {
  explicit DaemonRig(OprofileDaemonParams p)
      : r(2, {"syscall", "copy_to_user", "oprofiled_sample"}, demand_only()),
        daemon(r.cpus, r.memory, p, r.cpus.cpus(), r.paths.id("oprofiled_sample"), r.paths.id("syscall"),
               r.paths.id("copy_to_user")) {
    r.cost.set_counting(true);
  }
  // No prefetcher: every line a path brings in is a miss it counts.
  static models::CpuParams demand_only() {
    models::CpuParams p = Rig::params();
    p.prefetch_after_misses = 1e9;
    return p;
  }
  void samples(int cpu, int n) {
    for (int i = 0; i < n; ++i) daemon.sample(cpu);
    r.run_all();
  }
  models::PathTally tally(const char* path) const {
    models::PathTally t;
    for (int cpu = 0; cpu < r.cpus.cpus(); ++cpu) {
      const models::PathTally& c = r.cost.tallies(cpu)[r.paths.id(path)];
      t.calls += c.calls;
      t.bytes += c.bytes;
      t.l2_misses += c.l2_misses;
    }
    return t;
  }
  Rig r;
  OprofileDaemon daemon;
};

OprofileDaemonParams params(std::uint32_t wake, std::uint32_t drain, std::uint32_t nodes) {
  OprofileDaemonParams p;
  p.sample_bytes = kSampleBytes;
  p.wake_samples = wake;
  p.drain_samples = drain;
  p.sample_file_nodes = nodes;
  p.node_bytes = 64;  // a line each, so lines are nodes
  p.bucket_bytes = 64;
  return p;
}

TEST(OprofileDaemon, AFullBufferWakesTheDaemonWhichCopiesItOutAndFilesEverySampleOnce) {
  DaemonRig d(params(64, 8, 64));
  d.samples(0, 7);
  EXPECT_EQ(d.daemon.filed(), 0u);
  EXPECT_EQ(d.tally("syscall").calls, 0);
  d.samples(0, 1);
  EXPECT_EQ(d.daemon.filed(), 8u);
  EXPECT_EQ(d.tally("oprofiled_sample").calls, 8);
  EXPECT_EQ(d.tally("copy_to_user").bytes, 8 * kSampleBytes);
  EXPECT_EQ(d.tally("syscall").calls, 2);  // the read() that returns the buffer, then the one that sleeps
  // Each CPU has its own buffer: CPU1's fills on its own samples.
  d.samples(1, 7);
  d.samples(0, 7);
  EXPECT_EQ(d.daemon.filed(), 8u);
  EXPECT_EQ(d.daemon.waiting(), 14u);
  d.samples(1, 1);
  EXPECT_EQ(d.daemon.filed(), 16u);
  EXPECT_EQ(d.daemon.waiting(), 7u);
}

TEST(OprofileDaemon, AReadOfAShareOfABurstBringsInThatShareOfTheSampleFilesLines) {
  // 1,024 nodes, each a line, and its bucket a line: a whole burst's read may touch 2,048 lines,
  // a quarter of a burst's read 512 of them at most.
  constexpr std::uint32_t kDrain = 1024;
  DaemonRig whole(params(kDrain, kDrain, 1024));
  DaemonRig quarter(params(4 * kDrain, kDrain, 1024));
  whole.samples(0, kDrain);
  quarter.samples(0, kDrain);
  const double sample_lines = kDrain * kSampleBytes / 64.0;  // the copied samples, read in order
  EXPECT_LE(quarter.tally("oprofiled_sample").l2_misses, 2 * 1024 / 4 + sample_lines);
  EXPECT_GT(whole.tally("oprofiled_sample").l2_misses, 2 * quarter.tally("oprofiled_sample").l2_misses);
}

}  // namespace
}  // namespace iscsim::host::kernel
