// The SMP host's NIC driver as e1000 5.x runs it: its interrupt's loop (one read of ICR, then
// clean passes while one finds work, up to E1000_MAX_INTR), and the struct net_device line its
// paths share between the CPUs; and 4.1.7's fixed counts as a code-path patch. Properties only.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

double host_count(const nlohmann::json& r, const char* key) { return r["host"][key].get<double>(); }

TEST(SmpHost, AnInterruptCleansAgainWhatLandsWhileItsDriverCleansUpToTheLoopsMaximum) {
  // At the wire, frames land every 12 us per NIC while a pass over ten of them takes longer: some
  // interrupts take a second pass, none more than E1000_MAX_INTR; one ICR read each.
  const nlohmann::json r = run_smp("paper/smp-read-64k.json", "", "clean-loop");
  const double interrupts = host_count(r, "interrupts");
  const double passes = host_count(r, "nic_clean_passes");
  ASSERT_GT(interrupts, 0);
  EXPECT_GT(passes, interrupts);
  EXPECT_LE(passes, 10 * interrupts);
  const auto& cpu0 = r["cpus"][0]["paths_in_window"];
  EXPECT_LE(cpu0["e1000_intr"]["calls"].get<double>(), cpu0["irq_entry"]["calls"].get<double>());

  // With the loop's maximum at one pass (as e1000 builds for PowerPC have it), every interrupt
  // makes exactly one.
  const std::string one = patched_params("one-pass-objects", "kernel", "linux-2.4-objects", {{"e1000_max_intr_passes", 1}});
  const nlohmann::json single = run_smp("paper/smp-read-64k.json", " --set host.kernel_objects=" + one, "one-pass");
  EXPECT_EQ(host_count(single, "nic_clean_passes"), host_count(single, "interrupts"));
}

TEST(SmpHost, EveryCleanPassAndEveryFrameSentTakesTheAdaptersTransmitLockOnce) {
  // e1000 5.x takes adapter->tx_lock in e1000_clean_tx_irq once a pass, whether or not it
  // cleans, and in e1000_xmit_frame once a frame: one locked operation each, whose drain goes
  // with the pipeline's (locked_op_cycles).
  const nlohmann::json with = run_smp("paper/smp-write-64k.json", "", "tx-lock");
  const std::string no_drain = patched_params("no-lock-drain-cpu", "cpu", "netburst-xeon", {{"locked_op_cycles", 0}});
  const nlohmann::json without = run_smp("paper/smp-write-64k.json", " --set host.cpu.model=" + no_drain, "no-lock-drain");
  const auto& cpu0 = with["cpus"][0]["paths_in_window"];
  const double passes = cpu0["e1000_clean_tx_irq"]["calls"].get<double>();
  EXPECT_GE(passes, cpu0["e1000_intr"]["calls"].get<double>());
  EXPECT_LE(passes, 10 * cpu0["e1000_intr"]["calls"].get<double>());
  const auto stall_per_call = [](const nlohmann::json& r, int cpu, const char* path) {
    const auto& p = r["cpus"][cpu]["paths_in_window"][path];
    return p["stall_cycles"].get<double>() / p["calls"].get<double>();
  };
  const double drain =
      read_json(std::string(ISCSIM_SOURCE_DIR) + "/models/params/cpu/netburst-xeon.json")["params"]["locked_op_cycles"]["value"].get<double>();
  // One drain a call, give or take the other stalls, which differ by a few cycles a call between
  // the two runs (their timing differs: the ring records' misses, the snoops' clears).
  for (const char* path : {"e1000_clean_tx_irq", "e1000_xmit_frame"}) {
    const double added = stall_per_call(with, 0, path) - stall_per_call(without, 0, path);
    EXPECT_GT(added, 0.8 * drain) << path;
    EXPECT_LT(added, 1.2 * drain) << path;
  }
}

TEST(SmpHost, AFrameReclaimedInTheInterruptIsFreedByDevKfreeSkbIrqAndThePpesIsNot) {
  // e1000_clean_tx_irq's dev_kfree_skb_any is dev_kfree_skb_irq in an interrupt (a locked
  // decrement of users whatever it is): once per frame the SMP host's interrupt reclaims, on the
  // CPU it interrupts. The PPE polls and frees outside an interrupt: never.
  const nlohmann::json smp = run_smp("paper/smp-write-64k.json", kQuickRun, "kfree-irq-smp");
  const nlohmann::json amp = run_amp("paper/amp-write-64k.json", kQuickRun, "kfree-irq-amp");
  double reclaimed = 0;
  for (const auto& cpu : smp["cpus"]) {
    EXPECT_EQ(path_count(cpu, "dev_kfree_skb_irq"), path_count(cpu, "e1000_clean_tx")) << cpu["id"];
    reclaimed += path_count(cpu, "dev_kfree_skb_irq");
  }
  EXPECT_GT(reclaimed, 0);
  for (const auto& cpu : amp["cpus"]) EXPECT_EQ(path_count(cpu, "dev_kfree_skb_irq"), 0) << cpu["role"];
  EXPECT_GT(path_count(*cpu_with_role(amp, "ppe"), "e1000_clean_tx"), 0);
}

TEST(SmpHost, TheSendersTransmitTakesTheDevicesTimeLineFromTheCpuThatStampedTheLastReceive) {
  // e1000_xmit_frame loads netdev->priv and stores trans_start on the sending CPU; CPU0's
  // e1000_clean_rx stores last_rx in the same line for every frame it takes. In the reads CPU1
  // sends ACKs between CPU0's frames, so each takes the line from the other.
  const std::string off = patched_params("no-hot-objects", "kernel", "linux-2.4-objects", {{"netdev_hot_bytes", 0}});
  const nlohmann::json with = run_smp("paper/smp-read-64k.json", "", "hot-line");
  const nlohmann::json without = run_smp("paper/smp-read-64k.json", " --set host.kernel_objects=" + off, "no-hot-line");
  // Per call: how many ACKs CPU1 sends moves with the timing the line changes.
  const auto moved = [](const nlohmann::json& r, int cpu, const char* path) {
    const auto& p = r["cpus"][cpu]["paths_in_window"][path];
    return p["cache_to_cache_lines"].get<double>() / p["calls"].get<double>();
  };
  EXPECT_GT(moved(with, 1, "e1000_xmit_frame"), moved(without, 1, "e1000_xmit_frame") + 0.1);
  EXPECT_GT(moved(with, 0, "e1000_clean_rx"), 0);
  EXPECT_EQ(moved(without, 0, "e1000_clean_rx"), 0);
}

TEST(SmpHost, DriverCodePatchAddsItsRegisterAccessesAndLockedOperationsToEachCall) {
  // host.code_path_patch=e1000-4.1.7 gives the e1000 paths 4.1.7's fixed counts: each call's
  // stalls move by the counts' difference times their costs (a drain a locked operation, a PCI
  // round trip an uncached read, a UC store an uncached write), and its compute does not.
  const std::string root = ISCSIM_SOURCE_DIR;
  const nlohmann::json cpu = read_json(root + "/models/params/cpu/netburst-xeon.json")["params"];
  const nlohmann::json patch = read_json(root + "/models/params/patches/e1000-4.1.7.json")["paths"];
  const nlohmann::json catalog = read_json(root + "/models/params/paths/linux-2.4-calibrated.json")["paths"];
  const nlohmann::json base = run_smp("paper/smp-read-64k.json", "", "driver-5x");
  const nlohmann::json patched = run_smp("paper/smp-read-64k.json", " --set host.code_path_patch=e1000-4.1.7", "driver-417");
  const double ghz = base["cpus"][0]["frequency_ghz"].get<double>();
  const auto count = [](const nlohmann::json& path, const char* field, const char* key) {
    return path.contains(field) ? path[field].value(key, 0.0) : 0.0;
  };
  const auto per_call = [](const nlohmann::json& r, const std::string& path, const char* what) {
    const auto& p = r["cpus"][0]["paths_in_window"][path];
    return p[what].get<double>() / p["calls"].get<double>();
  };
  for (const auto& entry : patch.items()) {
    const std::string name = entry.key();  // a variable, not a binding: lambdas below capture it
    const nlohmann::json& counts = entry.value();
    const nlohmann::json& was = catalog[name];
    const double expected = (count(counts, "locked_ops", "per_call") - count(was, "locked_ops", "per_call")) *
                                cpu["locked_op_cycles"]["value"].get<double>() +
                            (count(counts, "mmio", "reads") - count(was, "mmio", "reads")) *
                                cpu["mmio_read_ns"]["value"].get<double>() * ghz +
                            (count(counts, "mmio", "writes") - count(was, "mmio", "writes")) *
                                cpu["mmio_write_ns"]["value"].get<double>() * ghz;
    ASSERT_NE(expected, 0) << name;
    const double added = per_call(patched, name, "stall_cycles") - per_call(base, name, "stall_cycles");
    // Give or take the other stalls, which differ by a few cycles a call as the two runs' timing does.
    EXPECT_NEAR(added, expected, 0.1 * std::abs(expected) + 20) << name;
    // Compute: what is neither stalls nor clears (calls cut by the window's edges leave a fraction
    // of a cycle a call between the runs).
    const double clear = cpu["clear_penalty_cycles"]["value"].get<double>();
    const auto compute = [&](const nlohmann::json& r) {
      return per_call(r, name, "cycles") - per_call(r, name, "stall_cycles") - clear * per_call(r, name, "clears");
    };
    EXPECT_NEAR(compute(patched), compute(base), 0.01 * compute(base)) << name;
  }
}

TEST(SmpHost, AnUnknownCodePathPatchIsNamedWithTheAllowedOnes) {
  expect_set_refused("paper/smp-read-64k.json", "host.code_path_patch=e1000-4.2",
                     {"host.code_path_patch", "e1000-4.2", "none", "e1000-4.1.7"}, "bad-patch");
}

}  // namespace
}  // namespace iscsim::testing
