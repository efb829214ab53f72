// The costs a path pays per call whatever its code: uncached device-register accesses (a time in
// nanoseconds), int/iret transitions and locked operations' drains (cycles of the core's clock),
// all counted as stalls beside the path's instructions x CPI, and the shipped catalog's counts.
#include <gtest/gtest.h>

#include "models/cpu/CpuCostModel.hpp"
#include "tests/models/CpuCostRig.hpp"
#include "tests/models/ModelFixtures.hpp"

namespace iscsim::models {
namespace {

TEST(FixedCosts, EachIntIretTransitionCostsItsCyclesAsAStall) {
  testing::CpuRig r(2.4e9);
  const Cost c = r.cpu.run(0, r.paths.id("trap"), 3, 0, {}, 0);
  EXPECT_DOUBLE_EQ(c.instr, 300);
  EXPECT_DOUBLE_EQ(c.stall_cycles, 3 * 1100);
  EXPECT_DOUBLE_EQ(c.cycles, 300 * 2 + 3 * 1100);
  EXPECT_DOUBLE_EQ(c.l2_misses, 0);
  EXPECT_DOUBLE_EQ(c.clears, 0);  // a cost in time, not a counted clear
  EXPECT_DOUBLE_EQ(at(r.cpu.counters(0), Bin::Interface).cycles, 300 * 2 + 3 * 1100);
}

TEST(FixedCosts, AnIntIretTakesTheSameCyclesAtAnyFrequencyAnMmioAccessTheSameTime) {
  // Microcode runs on the core's clock; a PCI round trip does not.
  for (const double hz : {1.6e9, 3.2e9}) {
    testing::CpuRig r(hz);
    EXPECT_DOUBLE_EQ(r.cpu.run(0, r.paths.id("trap"), 1, 0, {}, 0).stall_cycles, 1100) << hz;
    EXPECT_NEAR(r.cpu.run(1, r.paths.id("register"), 1, 0, {}, 0).stall_cycles, (750 + 2 * 80) * 1e-9 * hz, 1e-6) << hz;
  }
}

TEST(FixedCosts, EachLockedOperationDrainsThePipelineForItsCyclesAsAStallAtAnyFrequency) {
  for (const double hz : {1.6e9, 2.4e9}) {
    testing::CpuRig r(hz);
    const Cost c = r.cpu.run(0, r.paths.id("locked"), 3, 1000, {}, 0);
    EXPECT_DOUBLE_EQ(c.instr, 300) << hz;
    EXPECT_DOUBLE_EQ(c.stall_cycles, (3 * 2 + 1000 * 0.01) * 120) << hz;
    EXPECT_DOUBLE_EQ(c.cycles, 300 * 2 + (3 * 2 + 1000 * 0.01) * 120) << hz;
    EXPECT_DOUBLE_EQ(c.clears, 0) << hz;  // a drain, not a counted clear
    EXPECT_DOUBLE_EQ(c.l2_misses, 0) << hz;
  }
}

TEST(FixedCosts, TheShippedCatalogLocksWhereTheKernelsCodeDoes) {
  const CodePathCatalog c = CodePathCatalog::load(testing::params_dir() + "/paths/linux-2.4.json");
  // netif_rx: xtime_lock read-locked and unlocked, dev_hold; tcp_v4_rcv: the ehash bucket's read
  // lock and unlock, sock_hold, bh_lock_sock, sock_put; spin_unlock is a plain store.
  EXPECT_DOUBLE_EQ(c[c.id("netif_rx")].locked_ops, 3);
  EXPECT_DOUBLE_EQ(c[c.id("tcp_v4_rcv")].locked_ops, 5);
  EXPECT_DOUBLE_EQ(c[c.id("copy_to_user")].locked_ops, 0);
  // Each buffer_head a command ends: mark_buffer_uptodate, unlock_buffer, end_kio_request.
  EXPECT_DOUBLE_EQ(c[c.id("end_buffer_io")].locked_ops, 3);
  EXPECT_DOUBLE_EQ(CpuParams::from(testing::params("cpu", "netburst-xeon")).locked_op_cycles, 120);
}

TEST(FixedCosts, TheShippedCatalogTrapsOnTheSystemCallTheInterruptAndTheIpi) {
  const CodePathCatalog c = CodePathCatalog::load(testing::params_dir() + "/paths/linux-2.4.json");
  for (const char* name : {"syscall", "irq_entry"}) EXPECT_DOUBLE_EQ(c[c.id(name)].traps, 1) << name;
  // An IPI's entry and exit are irq_entry's: its handler traps no more.
  for (const char* name : {"wake_up", "ipi_handler"}) EXPECT_DOUBLE_EQ(c[c.id(name)].traps, 0) << name;
  EXPECT_DOUBLE_EQ(CpuParams::from(testing::params("cpu", "netburst-xeon")).int_iret_cycles, 1100);
}

}  // namespace
}  // namespace iscsim::models
