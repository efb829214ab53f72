// dynamo's raw I/O through Linux 2.4.18 (drivers/char/raw.c, fs/buffer.c brw_kiovec): each
// worker's open device keeps one kiobuf with its buffer_heads for good, so a worker's next I/O on
// the same CPU finds all it touches in the cache, while another worker's first I/O fetches its
// own; completions come back oldest first and name their worker, the system call's return reads
// what the completion wrote, and a completion on the other CPU fetches the block and SCSI layers'
// shared lines.
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
  // `raw_sector_bytes`: the kernel's raw sector, one buffer_head each (0: Linux 2.4.18's);
  // `clustering`: the SCSI host template's use_clustering.
  explicit IoRig(std::uint32_t raw_sector_bytes = 0, bool clustering = false)
      : r(2,
          {"syscall", "raw_io_map", "raw_io_unmap", "wait_kio", "submit_bh", "scsi_request", "scsi_map_bh",
           "iscsi_queuecommand", "scsi_done", "end_buffer_io"},
          cpu()) {
    if (raw_sector_bytes != 0) o.raw_sector_bytes = raw_sector_bytes;
    o.scatterlist_clustering = clustering;
    io = std::make_unique<DynamoIo>(r.cpus, r.kernel, o, r.memory, kIoBytes);
    r.cost.set_counting(true);
  }
  // A prefetcher that needs a miss a page to start: each page a walk enters shows one.
  static models::CpuParams cpu() {
    models::CpuParams p = Rig::params();
    p.prefetch_after_misses = 1;
    return p;
  }
  // The L2 misses of `f` run as a softirq on `cpu`.
  double misses_of(const std::function<void(int cpu)>& f, int cpu = 0) {
    const double before = at(r.cost.counters(cpu), models::Bin::Interface).l2_misses;
    r.cpus.raise_softirq(cpu, Work{f, {}});
    r.run_all();
    return at(r.cost.counters(cpu), models::Bin::Interface).l2_misses - before;
  }
  const models::PathTally& tally(int cpu, const char* path) const { return r.cost.tallies(cpu)[r.paths.id(path)]; }
  Rig r;
  // Linux 2.4's object sizes, as the hosts load them.
  KernelObjects o = KernelObjects::from(
      models::ParamSet::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params", "kernel", "linux-2.4-objects"), 1500);
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

TEST(DynamoIo, TheSystemCallsReturnReadsTheBufferHeadsTheCompletionWroteOnTheOtherCpu) {
  // brw_kiovec's wait_kio, on the CPU where the woken thread runs, reads the state of every
  // buffer_head that scsi_done ended on the CPU that completed the command; unmap_kiobuf then
  // drops the pages' references. Once returned, there is nothing more to return from.
  IoRig a;
  a.misses_of([&](int cpu) { a.io->issue(cpu, 3, kIoBytes); });
  a.misses_of([&](int cpu) { a.io->complete(cpu); }, 1);
  a.misses_of([&](int cpu) { a.io->finish(cpu, 3); });
  const models::PathTally& back = a.tally(0, "raw_io_unmap");
  EXPECT_EQ(back.calls, 1);
  EXPECT_EQ(back.bytes, static_cast<double>(kIoBytes));
  const double buffer_head_lines = static_cast<double>(kIoBytes / a.o.raw_sector_bytes * a.o.buffer_head_bytes / 64);
  EXPECT_GE(a.tally(0, "wait_kio").cache_to_cache_lines, buffer_head_lines);
  a.misses_of([&](int cpu) { a.io->finish(cpu, 3); });
  EXPECT_EQ(a.tally(0, "raw_io_unmap").calls, 1);
}

TEST(DynamoIo, ACompletionOnTheOtherCpuFetchesTheLockAndTheBusyCountsTheSubmitterWrote) {
  // scsi_finish_command takes io_request_lock and the host's and device's busy counts back, on
  // the lines the request function wrote on the submitting CPU; without them (0 bytes) the
  // completion moves only its command's lines.
  for (const std::uint32_t shared : {256u, 0u}) {
    IoRig a;
    a.o.block_shared_bytes = shared;
    a.io = std::make_unique<DynamoIo>(a.r.cpus, a.r.kernel, a.o, a.r.memory, kIoBytes);
    a.misses_of([&](int cpu) { a.io->issue(cpu, 3, kIoBytes); });
    a.misses_of([&](int cpu) { a.io->complete(cpu); }, 1);
    const double command_lines = static_cast<double>((a.o.scsi_cmnd_bytes + 63) / 64 + (a.o.iscsi_cmd_bytes + 63) / 64);
    EXPECT_EQ(a.tally(1, "scsi_done").cache_to_cache_lines, command_lines + shared / 64) << shared << " B";
  }
}

TEST(DynamoIo, TheBlockAndScsiLayersChargeEachBufferHeadSoLargerRawSectorsCostFewerCalls) {
  // Vanilla 2.4.18 cuts a 64 KB raw I/O into 128 buffer_heads of 512 B; a kernel whose raw
  // sectors are 4 KB (the varyio patch) into 16. Submitting, mapping into the scatter-gather
  // list, ending and waiting on each is one call per buffer_head; the command's own work is one.
  for (const std::uint32_t sector : {512u, 4096u}) {
    IoRig a(sector);
    a.misses_of([&](int cpu) { a.io->issue(cpu, 3, kIoBytes); });
    a.misses_of([&](int cpu) { a.io->complete(cpu); });
    a.misses_of([&](int cpu) { a.io->finish(cpu, 3); });
    const double bhs = static_cast<double>(kIoBytes / sector);
    for (const char* per_bh : {"submit_bh", "scsi_map_bh", "end_buffer_io", "wait_kio"})
      EXPECT_EQ(a.tally(0, per_bh).calls, bhs) << per_bh << " at " << sector << " B";
    for (const char* per_io : {"raw_io_map", "scsi_request", "scsi_done", "raw_io_unmap"})
      EXPECT_EQ(a.tally(0, per_io).calls, 1) << per_io << " at " << sector << " B";
  }
}

TEST(DynamoIo, ACommandsDataMovesThroughTheScatterGatherEntriesThatCoverIt) {
  // __init_io fills an entry per buffer_head (use_clustering 0) or, clustered, one per page here;
  // an iSCSI driver places or sends a PDU's data through the entries that cover it, and finds its
  // task. On the other CPU those entries come from the issuing CPU's cache.
  IoRig a;
  const std::uint64_t entry = a.o.scatterlist_entry_bytes;
  models::Addr buffer = 0;
  a.misses_of([&](int cpu) { buffer = a.io->issue(cpu, 3, kIoBytes); });
  const DynamoIo::Placement second_pdu = a.io->placement(buffer + 8192, 8192);
  EXPECT_EQ(second_pdu.entries.bytes, 8192 / a.o.raw_sector_bytes * entry);
  EXPECT_FALSE(second_pdu.entries.write);
  EXPECT_EQ(second_pdu.entries.addr - a.io->placement(buffer, 1).entries.addr, 8192 / a.o.raw_sector_bytes * entry);
  EXPECT_EQ(second_pdu.task.bytes, a.o.iscsi_cmd_bytes);
  EXPECT_TRUE(second_pdu.task.write);
  a.misses_of(
      [&](int cpu) {
        a.r.cpus.run(cpu, a.r.paths.id("iscsi_queuecommand"), 1, 0, {second_pdu.entries});
      },
      1);
  EXPECT_GE(a.tally(1, "iscsi_queuecommand").cache_to_cache_lines, static_cast<double>(8192 / a.o.raw_sector_bytes * entry / 64));
  // Once the command has ended, no command holds that data.
  a.misses_of([&](int cpu) { a.io->complete(cpu); });
  a.r.run_all();
  EXPECT_EQ(a.io->placement(buffer + 8192, 8192).entries.bytes, 0u);

  IoRig clustered(0, true);
  clustered.misses_of([&](int cpu) { buffer = clustered.io->issue(cpu, 3, kIoBytes); });
  EXPECT_EQ(clustered.io->placement(buffer + 8192, 8192).entries.bytes, 8192 / clustered.o.page_bytes * entry);
}

}  // namespace
}  // namespace iscsim::host::kernel
