// The AMP host end to end: the PPE takes no device interrupt and never sleeps (a SCHED_OTHER one
// still draws 2.4's rescheduling IPIs), zero-copy transmit
// runs no copy path, wait_N coalesces wake-ups, cycles are conserved, runs are deterministic.
// Properties only: the AMP results are predictions and no figure of them is written here.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <utility>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

class AmpWorkloads : public ::testing::TestWithParam<std::string> {};

TEST_P(AmpWorkloads, VerifiesEveryBlockAndConservesCycles) {
  const nlohmann::json r = run_amp("paper/" + GetParam() + ".json", "", GetParam());
  EXPECT_TRUE(r["integrity"]["complete"].get<bool>());
  EXPECT_EQ(r["integrity"]["corrupt_blocks"], 0);
  const double mb = r["summary"]["throughput_MBps"].get<double>() * r["summary"]["sim_time_s"].get<double>();
  ASSERT_GT(mb, 0);
  ASSERT_NE(cpu_with_role(r, "host"), nullptr);
  ASSERT_NE(cpu_with_role(r, "ppe"), nullptr);
  for (const auto& cpu : r["cpus"]) {
    const double window = cpu["frequency_ghz"].get<double>() * 1e9 * r["summary"]["sim_time_s"].get<double>();
    double cycles = 0;
    for (const auto& [bin, b] : cpu["bins"].items()) cycles += b["cycles"].get<double>() * mb;
    EXPECT_NEAR(cycles / window, 1.0, 0.02) << cpu["role"];
  }
  // The dedicated view counts the PPE fully busy: never below the plain utilization.
  EXPECT_GE(r["summary"]["cpu_dedicated_pct"].get<double>(), r["summary"]["cpu_util_pct"].get<double>());
}

// Every strategy switch runs the workload to the end with every block verified; data that finds
// no pre-posted buffer (the login's answers) takes the counted fallback.
class AmpStrategies : public ::testing::TestWithParam<std::string> {};

TEST_P(AmpStrategies, CompleteWithEveryBlockVerified) {
  for (const char* op : {"read", "write"}) {
    const nlohmann::json r = run_amp(std::string("paper/amp-") + op + "-8k.json", " --set " + GetParam(),
                                     "strategy-" + std::to_string(std::hash<std::string>{}(GetParam())) + op);
    EXPECT_TRUE(r["integrity"]["complete"].get<bool>()) << GetParam() << " " << op;
    EXPECT_EQ(r["integrity"]["corrupt_blocks"], 0) << GetParam() << " " << op;
    EXPECT_GT(r["summary"]["throughput_MBps"].get<double>(), 0) << GetParam() << " " << op;
    EXPECT_GT(r["host"]["fallback_events"].get<double>(), 0) << GetParam() << " " << op;
  }
}

INSTANTIATE_TEST_SUITE_P(Switches, AmpStrategies,
                         ::testing::Values("amp.host_wait=poll", "amp.completion=callback", "amp.tx_copy=copy",
                                           "amp.rx_copy=host", "amp.rx_copy_path=copy_from_user",
                                           "amp.ppe_timer_tick=false", "amp.ppe_policy=fifo"));

INSTANTIATE_TEST_SUITE_P(Paper, AmpWorkloads,
                         ::testing::Values("amp-write-64k", "amp-read-64k", "amp-write-8k", "amp-read-8k"));

TEST(AmpHost, ThePpeTakesNoDeviceInterruptAndNeverSleeps) {
  const nlohmann::json r = run_amp("paper/amp-read-64k.json", " --set amp.ppe_timer_tick=false", "no-tick");
  const nlohmann::json& ppe = *cpu_with_role(r, "ppe");
  EXPECT_EQ(ppe["events"]["interrupts"], 0);
  EXPECT_EQ(ppe["events"]["ipis"], 0);
  EXPECT_EQ(ppe["events"]["context_switches"], 0);
  // Nor does it pass a socket layer: its queues take the place of sock_sendmsg and sock_recvmsg.
  for (const char* path : {"e1000_intr", "irq_entry", "apic_entry", "schedule", "do_softirq", "sock_sendmsg", "sock_recvmsg"})
    EXPECT_FALSE(ppe["paths_in_window"].contains(path)) << path;
  EXPECT_GT(ppe["paths_in_window"]["tcp_rcv_data"]["calls"].get<double>(), 0);
  EXPECT_EQ(r["host"]["interrupts"], 0);
  // With the tick on, the only interrupts it takes are the local timer's.
  const nlohmann::json t = run_amp("paper/amp-read-64k.json", "", "tick");
  const nlohmann::json& tp = *cpu_with_role(t, "ppe");
  EXPECT_GT(tp["events"]["interrupts"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(tp["events"]["interrupts"].get<double>(), tp["paths_in_window"]["local_timer"]["calls"].get<double>());
}

TEST(AmpHost, UnderTheProfilerThePpesInterruptsClearInTheirEntryNotInThePolls) {
  // As on the SMP host's CPUs, the NMI that samples an interrupt's flush lands on the handler's
  // first instruction: each tick and IPI the engine takes is a clear of apic_entry. Without a
  // profiler the clear is counted where it landed, mostly in the engine's polls and iterations.
  const auto entry_clears_per_interrupt = [](const nlohmann::json& r) {
    const nlohmann::json& ppe = *cpu_with_role(r, "ppe");
    const double taken = ppe["events"]["interrupts"].get<double>() + ppe["events"]["ipis"].get<double>();
    return ppe["paths_in_window"]["apic_entry"]["clears"].get<double>() / taken;
  };
  const nlohmann::json nmi = run_amp("paper/amp-read-8k.json", " --set host.profiler=oprofile-0.7-p4", "ppe-nmi");
  const nlohmann::json none = run_amp("paper/amp-read-8k.json", " --set host.profiler=none", "ppe-none");
  EXPECT_GE(entry_clears_per_interrupt(nmi), 1.0);
  EXPECT_LT(entry_clears_per_interrupt(none), 0.5);
}

TEST(AmpHost, ASchedOtherPpeDrawsUselessReschedulingIpisAFifoOneNone) {
  // Its thread's spent time slice makes 2.4's reschedule_idle pick the PPE's CPU when the host
  // CPU is busy; the engine takes the IPI (entry and handler) and never acts on it. The slice (six
  // ticks, 60 ms) is spent well within the run's 100 ms.
  const nlohmann::json other = run_amp("paper/amp-read-8k.json", " --set run.duration_s=0.1", "ppe-other");
  const nlohmann::json& ppe = *cpu_with_role(other, "ppe");
  EXPECT_GT(ppe["events"]["ipis"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(ppe["events"]["ipis"].get<double>(), ppe["paths_in_window"]["ipi_handler"]["calls"].get<double>());
  EXPECT_EQ(ppe["events"]["context_switches"], 0);
  const nlohmann::json fifo = run_amp("paper/amp-read-8k.json", " --set amp.ppe_policy=fifo", "ppe-fifo");
  EXPECT_EQ((*cpu_with_role(fifo, "ppe"))["events"]["ipis"], 0);
}

TEST(AmpHost, ASessionThatReconnectsLogsInAgainThroughThePpeAndLosesNothing) {
  // A failed connection (digests catch silent corruption; ERL 0) is replaced by a new one: the
  // host hands it to the PPE like the first and the session logs in on it. What the PPE had
  // pulled from the old connection and the session had not seen is dropped with it.
  const nlohmann::json r = run_amp("paper/amp-write-64k.json",
                                   " --set link.silent_corrupt_rate=0.0005" + kTestLun +
                                   " --set iscsi.header_digest=true --set iscsi.data_digest=true"
                                   " --set workload.readback=true",
                                   "reconnect");
  const long reconnects = r["iscsi"]["reconnects"].get<long>();
  EXPECT_GT(reconnects, 0);
  EXPECT_EQ(r["iscsi"]["logins"].get<long>(), 2 + reconnects);
  EXPECT_TRUE(r["integrity"]["complete"].get<bool>());
  EXPECT_EQ(r["integrity"]["corrupt_blocks"].get<long>(), 0);
  EXPECT_EQ(r["integrity"]["verified_blocks"].get<long>(), 2 * kTestLunBlocks);
}

TEST(AmpHost, ZeroCopyTransmitRunsNoCopyPath) {
  const nlohmann::json r = run_amp("paper/amp-write-64k.json", "", "zero-copy");
  for (const auto& cpu : r["cpus"]) EXPECT_FALSE(cpu["paths_in_window"].contains("copy_from_user")) << cpu["role"];
  EXPECT_GT(r["host"]["zero_copy_pages"].get<double>(), 0);
  // The NIC read the payload where the host's posts said: the user's pages, at least what the
  // window moved (the whole run, ramp-up included, moved more).
  const double window_bytes = r["summary"]["throughput_MBps"].get<double>() * 1e6 * r["summary"]["sim_time_s"].get<double>();
  EXPECT_GE(r["host"]["nic_read_from_posted_buffers_bytes"].get<double>(), window_bytes);
  const nlohmann::json c = run_amp("paper/amp-write-64k.json", " --set amp.tx_copy=copy", "copy");
  EXPECT_GT((*cpu_with_role(c, "host"))["paths_in_window"]["copy_from_user"]["bytes"].get<double>(), 0);
}

TEST(AmpHost, WaitNReapsNEventsPerCall) {
  // wait() returns one event per call; wait_N(n) min(n, outstanding): n per call but for the
  // last of each command's events. Wake-ups (IPIs to a sleeping host) never exceed the calls.
  for (int n : {1, 2, 4}) {
    const nlohmann::json r = run_amp("paper/amp-read-64k.json",
                                     " --set amp.wait=n --set amp.wait_n=" + std::to_string(n), "wait-" + std::to_string(n));
    const double events = r["host"]["events"].get<double>();
    const double waits = r["host"]["host_waits"].get<double>();
    const double ios = r["summary"]["iops"].get<double>() * r["summary"]["end_time_s"].get<double>();
    EXPECT_GE(waits, events / n) << n;
    EXPECT_LE(waits, events / n + ios + r["host"]["fallback_events"].get<double>()) << n;
    EXPECT_LE(r["host"]["host_wakeups"].get<double>(), waits) << n;
  }
}

// A catalog whose every path retires nothing and touches no code: software costs only the
// memory its data touches.
std::filesystem::path zero_cost_catalog(const std::string& name, const std::filesystem::path& dir) {
  nlohmann::json c = read_json(std::filesystem::path(ISCSIM_SOURCE_DIR) / "models/params/paths" / (name + ".json"));
  for (auto& [path, p] : c["paths"].items())
    for (const char* field : {"instr_per_call", "instr_per_byte", "footprint_bytes"}) p[field] = {{"value", 0}, {"min", 0}, {"max", 0}, {"source", "zero-cost test"}};
  const auto file = dir / (name + "-zero.json");
  std::ofstream(file) << c.dump();
  return file;
}

TEST(AmpHost, WithAZeroCostCatalogItReachesTheIdealHostsThroughput) {
  const auto dir = scratch_dir("zero-cost");
  std::filesystem::create_directories(dir);
  // A window long enough that a single 64 KB I/O more or less is well under 1% of the throughput.
  // Both on throttled NICs (driver 5.x's moderation): with 4.1.7's packet timers the targets'
  // interrupts wait for a pause in the initiator's ACKs, which each host paces its own way.
  std::string window = " --set run.duration_s=0.3";
  const nlohmann::json driver = read_json(std::filesystem::path(ISCSIM_SOURCE_DIR) / "models/params/driver/e1000-5.x.json");
  for (const auto& [key, p] : driver["params"].items()) window += " --set nics." + key + "=" + p["value"].dump();
  const std::string catalogs = window + " --set host.code_paths=" + zero_cost_catalog("linux-2.4-calibrated", dir).string() +
                               " --set amp.code_paths=" + zero_cost_catalog("eta-amp", dir).string();
  for (const char* op : {"read", "write"}) {
    const nlohmann::json amp = run_amp(std::string("paper/amp-") + op + "-64k.json", catalogs, std::string("zero-amp-") + op);
    const nlohmann::json ideal = run_amp(std::string("ideal-") + op + "-64k.json", window, std::string("zero-ideal-") + op);
    const double want = ideal["summary"]["throughput_MBps"].get<double>();
    EXPECT_NEAR(amp["summary"]["throughput_MBps"].get<double>(), want, 0.01 * want) << op;
  }
}

TEST(AmpHost, SeveralPpesSteerPerNicOrPerConnection) {
  // Two PPEs for two NICs: per NIC, each polls its own; per connection, the frames of a
  // connection owned by the other PPE are handed over through its inbox.
  for (const char* steering : {"per_nic", "per_connection"}) {
    const nlohmann::json r = run_amp("cmp/amp-2to2-2nic.json",
                                     std::string(" --set iscsi.sessions_per_target=2 --set workload.workers=4 --set amp.flow_steering=") + steering,
                                     std::string("steer-") + steering);
    EXPECT_TRUE(r["integrity"]["complete"].get<bool>()) << steering;
    EXPECT_EQ(r["integrity"]["corrupt_blocks"], 0) << steering;
    int ppes = 0;
    for (const auto& cpu : r["cpus"])
      if (cpu["role"] == "ppe") {
        ++ppes;
        EXPECT_TRUE(cpu["paths_in_window"].contains("tcp_rcv_data")) << steering;
      }
    EXPECT_EQ(ppes, 2);
  }
}

TEST(AmpHost, TcpsTimerListLinesStayOnThePpeButForTheHostsTimedWaits) {
  // mod_timer writes the kernel's global timer lists and their lock: on the SMP host both CPUs
  // restart TCP's timers, so those lines move between them at most calls. On the AMP host only
  // the PPE restarts TCP's; the host CPU's timers are its threads' timed waits (nanosleep's), and
  // the PPE takes the lock's line back only after one of those has had it.
  const auto timer_work = [](const nlohmann::json& cpu) {
    const nlohmann::json& paths = cpu["paths_in_window"];
    if (!paths.contains("mod_timer")) return std::pair<double, double>{0, 0};
    return std::pair<double, double>{paths["mod_timer"]["calls"].get<double>(),
                                     paths["mod_timer"]["cache_to_cache_lines"].get<double>()};
  };
  const nlohmann::json smp = run_amp("paper/smp-write-64k.json", "", "timers-smp");
  double calls = 0;
  double moved = 0;
  for (const auto& cpu : smp["cpus"]) {
    calls += timer_work(cpu).first;
    moved += timer_work(cpu).second;
  }
  ASSERT_GT(calls, 0);
  EXPECT_GT(moved, 0);
  const nlohmann::json amp = run_amp("paper/amp-write-64k.json", "", "timers-amp");
  const auto [ppe_calls, ppe_moved] = timer_work(*cpu_with_role(amp, "ppe"));
  const auto [host_calls, host_moved] = timer_work(*cpu_with_role(amp, "host"));
  ASSERT_GT(ppe_calls, 0);
  EXPECT_GT(host_calls, 0);
  EXPECT_LE(ppe_moved, host_calls);
  EXPECT_LT(ppe_moved / ppe_calls, 0.2 * moved / calls);
}

TEST(AmpHost, TheRoutesLinesStayOnThePpe) {
  // The PPE routes every frame, sends every segment and frees every sk_buff: the routing cache's
  // lines, which the SMP host's CPUs pass between them, never come from another cache.
  const nlohmann::json amp = run_amp("paper/amp-read-64k.json", "", "routes-amp");
  int ppes = 0;
  for (const auto& cpu : amp["cpus"]) {
    if (cpu["role"] != "ppe") continue;
    ++ppes;
    for (const char* path : {"ip_rcv", "tcp_transmit", "kfree_skb"}) {
      EXPECT_GT(cpu["paths_in_window"][path]["calls"].get<double>(), 0) << path;
      EXPECT_EQ(cpu["paths_in_window"][path]["cache_to_cache_lines"].get<double>(), 0) << path;
    }
  }
  EXPECT_EQ(ppes, 1);
}

TEST(AmpHost, ThePpeNeitherQueuesFramesOnABacklogNorRunsAQdisc) {
  // The PPE polls its descriptors and drives its rings itself: no softirq backlog (netif_rx,
  // net_rx_action) and no queueing discipline (dev_queue_xmit); the host CPUs run no TCP at all.
  const nlohmann::json r = run_amp("paper/amp-write-8k.json", "", "no-netcore");
  for (const auto& cpu : r["cpus"])
    for (const char* path : {"netif_rx", "net_rx_action", "dev_queue_xmit"})
      EXPECT_FALSE(cpu["paths_in_window"].contains(path)) << path << " on " << cpu["id"];
}

TEST(AmpHost, ThePpeTakesTheDriversTransmitLockOnlyWhenItCleansFramesSentAndKeepsItsLine) {
  // The PPE calls e1000_clean_tx_irq, and so takes adapter->tx_lock, when its poll finds frames
  // sent: at most once per frame reclaimed, never on a host CPU, and the lock's line (the TX
  // ring's indices) never comes from another cache.
  const nlohmann::json r = run_amp("paper/amp-write-64k.json", "", "tx-lock-amp");
  for (const auto& cpu : r["cpus"]) {
    const auto& paths = cpu["paths_in_window"];
    if (cpu["role"] != "ppe") {
      EXPECT_FALSE(paths.contains("e1000_clean_tx_irq")) << cpu["id"];
      continue;
    }
    const double cleans = paths["e1000_clean_tx_irq"]["calls"].get<double>();
    EXPECT_GT(cleans, 0);
    EXPECT_LE(cleans, paths["e1000_clean_tx"]["calls"].get<double>());
    EXPECT_EQ(paths["e1000_clean_tx_irq"]["cache_to_cache_lines"].get<double>(), 0);
  }
}

TEST(AmpHost, AZeroCopyFrameTakesAChecksumContextAndADescriptorForItsHeadersAndEachPieceOfPage) {
  // e1000's tx_map: a payload the PPE never reads goes out CHECKSUM_HW, from the user's pages.
  // A 1,448 B payload lies in one page or across two: three or four descriptors a data frame;
  // an ACK, one. The SMP host's frames, copied into their sk_buffs, take one each.
  const nlohmann::json amp = run_amp("paper/amp-write-64k.json", "", "descriptors-amp");
  const nlohmann::json smp = run_smp("paper/smp-write-64k.json", "", "descriptors-smp");
  const auto per_frame = [](const nlohmann::json& nic) {
    return nic["tx_descriptors"].get<double>() / nic["tx_frames"].get<double>();
  };
  int initiators = 0;
  for (const auto& nic : amp["nics"]) {
    if (nic["name"].get<std::string>().rfind("initiator", 0) != 0) continue;
    ++initiators;
    EXPECT_GT(per_frame(nic), 2.0) << nic["name"];
    EXPECT_LE(per_frame(nic), 4.0) << nic["name"];
  }
  EXPECT_EQ(initiators, 2);
  for (const auto& nic : smp["nics"]) EXPECT_DOUBLE_EQ(per_frame(nic), 1.0) << nic["name"];
  // And the PPE pays the driver's work for them: a context per data frame, a descriptor per
  // piece of page (one or two each); no host CPU does, nor the SMP host, whose frames are linear.
  const nlohmann::json& ppe = *cpu_with_role(amp, "ppe");
  const double contexts = path_count(ppe, "e1000_tx_csum");
  EXPECT_GT(contexts, 0);
  EXPECT_LE(contexts, path_count(ppe, "e1000_xmit_frame"));
  EXPECT_GE(path_count(ppe, "e1000_tx_frag"), contexts);
  EXPECT_LE(path_count(ppe, "e1000_tx_frag"), 2 * contexts);
  EXPECT_EQ(path_count(*cpu_with_role(amp, "host"), "e1000_tx_frag"), 0);
  for (const auto& cpu : smp["cpus"]) EXPECT_EQ(path_count(cpu, "e1000_tx_csum") + path_count(cpu, "e1000_tx_frag"), 0);
}

TEST(AmpHost, RunsAreDeterministic) {
  nlohmann::json a = run_amp("paper/amp-write-8k.json", "", "det-a");
  nlohmann::json b = run_amp("paper/amp-write-8k.json", "", "det-b");
  a.erase("run_info");
  b.erase("run_info");
  a.erase("run");
  b.erase("run");
  EXPECT_EQ(a.dump(), b.dump());
}

}  // namespace
}  // namespace iscsim::testing
