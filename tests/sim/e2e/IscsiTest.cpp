// The paper's iSCSI workloads end to end on the ideal host: the wire bound less iSCSI headers,
// every block verified, loss survived, and a capture tshark decodes as iSCSI with the PDU counts
// results.json reports.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

constexpr double kBhs = 48;  // iSCSI basic header segment, bytes (RFC 7143)

// The wire bound of an I/O of `request` bytes carried in data PDUs of at most `segment` bytes,
// each behind a 48-byte header (README "The iSCSI wire bound").
double iscsi_bound(double request, double segment) {
  const double pdus = std::ceil(request / segment);
  return kTcpBoundMBps * request / (request + pdus * kBhs);
}

nlohmann::json run_ok(const std::string& scenario, const std::string& sets, const std::filesystem::path& dir,
                      const std::string& extra = "") {
  const Invocation inv =
      run_iscsim("run " + scenario_path(scenario) + " " + sets + " -o " + (dir / "out").string() + " " + extra, dir);
  EXPECT_EQ(inv.exit_code, 0) << inv.stderr_text;
  return read_json(dir / "out" / "results.json");
}

void expect_verified(const nlohmann::json& r) {
  EXPECT_GT(r["integrity"]["verified_blocks"].get<long>(), 0);
  EXPECT_EQ(r["integrity"]["corrupt_blocks"].get<long>(), 0);
  EXPECT_EQ(r["integrity"]["io_errors"].get<long>(), 0);
  EXPECT_TRUE(r["integrity"]["complete"].get<bool>());
}

class PaperWorkloads : public ::testing::TestWithParam<const char*> {};

TEST_P(PaperWorkloads, ReachTheWireBoundLessIscsiHeadersWithEveryBlockVerified) {
  const std::string name = GetParam();
  const auto r = run_ok(name + ".json", "--set run.duration_s=0.3 --set target.lun_bytes=16777216", scratch_dir("run"));
  const double request = r["scenario"]["workload"]["request_bytes"].get<double>();
  const double bound = iscsi_bound(request, r["scenario"]["iscsi"]["max_recv_data_segment_bytes"].get<double>());
  EXPECT_GE(r["summary"]["throughput_MBps"].get<double>(), 0.97 * bound);
  EXPECT_LE(r["summary"]["throughput_MBps"].get<double>(), bound * 1.001);
  EXPECT_NEAR(r["summary"]["iops"].get<double>() * request / 1e6, r["summary"]["throughput_MBps"].get<double>(), 1e-6);
  expect_verified(r);
  const auto& lat = r["summary"]["latency_us"];
  EXPECT_LE(lat["p50"].get<double>(), lat["p95"].get<double>());
  EXPECT_LE(lat["p95"].get<double>(), lat["p99"].get<double>());
  // Each target carries half, within a percent.
  ASSERT_EQ(r["targets"].size(), 2u);
  EXPECT_NEAR(r["targets"][0]["throughput_MBps"].get<double>(), r["targets"][1]["throughput_MBps"].get<double>(),
              0.01 * bound);
}

INSTANTIATE_TEST_SUITE_P(Iscsi, PaperWorkloads,
                         ::testing::Values("ideal-read-64k", "ideal-write-64k", "ideal-read-8k", "ideal-write-8k"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(Iscsi, WritesSurviveOnePercentLossAndReadBackIntact) {
  const auto r = run_ok("ideal-write-64k.json",
                        "--set link.loss_rate=0.01 --set run.duration_s=0.3" + kTestLun,
                        scratch_dir("loss"));
  expect_verified(r);
  EXPECT_GT(r["tcp"]["retransmissions"].get<long>(), 0);
  EXPECT_GT(r["integrity"]["readback_ios"].get<long>(), 0);
  // The read-back covers both LUNs whole (three workers per target, 2 MiB each): 2 x 6 MiB in
  // 512-byte blocks.
  EXPECT_EQ(r["integrity"]["verified_blocks"].get<long>(), 2 * kTestLunBlocks);
}

TEST(Iscsi, ATargetWhoseStackIsSlowerThanItsWireHoldsTheInitiatorBackAndLosesNothing) {
  // 40 us of the target's thread a segment, 1,448 B: 36.2 MB/s of TCP payload a target, whose
  // socket's window holds the writes to it; the reads' sends hold back the commands behind them.
  constexpr double kSegmentUs = 40;
  constexpr double kTargetBoundMBps = 2 * 1448 / kSegmentUs;  // two targets, bytes per us = MB/s
  for (const char* op : {"write", "read"}) {
    const std::string slow =
        patched_params(std::string("slow-target-") + op, "disk", "linux-2.4-rd-xeon-stack",
                       {{"rx_thread_per_segment_ns", kSegmentUs * 1000}, {"tx_thread_per_segment_ns", kSegmentUs * 1000}});
    const auto r = run_ok(std::string("ideal-") + op + "-64k.json",
                          "--set run.duration_s=0.3 --set target.ramdisk_model=" + slow + kTestLun,
                          scratch_dir(std::string("slow-") + op));
    expect_verified(r);
    const double mbps = r["summary"]["throughput_MBps"].get<double>();
    EXPECT_LE(mbps, kTargetBoundMBps) << op;
    EXPECT_GE(mbps, 0.8 * kTargetBoundMBps) << op;
  }
}

TEST(Iscsi, DigestsAndUnsolicitedDataStillVerify) {
  const auto r = run_ok("ideal-write-64k.json",
                        "--set iscsi.header_digest=true --set iscsi.data_digest=true --set iscsi.initial_r2t=false "
                        "--set iscsi.first_burst_bytes=32768 --set iscsi.sessions_per_target=2 --set workload.workers=4 "
                        "--set run.duration_s=0.1" + kTestLun,
                        scratch_dir("modes"));
  expect_verified(r);
  const auto& s = r["targets"][0]["sessions"];
  ASSERT_EQ(s.size(), 2u);
  EXPECT_TRUE(s[0]["negotiated"]["data_digest"].get<bool>());
  EXPECT_FALSE(s[0]["negotiated"]["initial_r2t"].get<bool>());
  // 64 KiB writes: 8 KiB immediate, 24 KiB unsolicited, one R2T for the other 32 KiB.
  EXPECT_EQ(r["iscsi"]["r2ts"].get<long>(), r["iscsi"]["pdus"]["scsi_response"].get<long>());
}

TEST(Iscsi, DigestsTurnSilentCorruptionIntoReconnectsAndLoseNothing) {
  const std::string common =
      "--set link.silent_corrupt_rate=0.0005 --set run.duration_s=0.2" + kTestLun;
  // Without digests the damage reaches the disk and the reads: the workload's stamps catch it.
  const auto plain = run_ok("ideal-write-64k.json", common, scratch_dir("plain"));
  EXPECT_GT(plain["integrity"]["corrupt_blocks"].get<long>(), 0);
  // With digests every damaged PDU fails its connection (ERL 0); the initiator logs in again on a
  // new one after DefaultTime2Wait and re-issues what was outstanding.
  const auto r = run_ok("ideal-write-64k.json", common + "--set iscsi.header_digest=true --set iscsi.data_digest=true",
                        scratch_dir("digests"));
  expect_verified(r);
  EXPECT_EQ(r["integrity"]["verified_blocks"].get<long>(), 2 * kTestLunBlocks);
  EXPECT_GT(r["iscsi"]["reconnects"].get<long>(), 0);
  EXPECT_GT(r["iscsi"]["reissued"].get<long>(), 0);
  EXPECT_EQ(r["iscsi"]["logins"].get<long>(), 2 + r["iscsi"]["reconnects"].get<long>());
}

TEST(Iscsi, CaptureDecodesAsIscsiWithMatchingPduCounts) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  for (const char* scenario : {"ideal-read-64k.json", "ideal-write-64k.json"}) {
    const auto dir = scratch_dir(std::string("pcap-") + scenario);
    const auto pcap = dir / "wire.pcap";
    const auto r = run_ok(scenario, "--set run.warmup_s=0.005 --set run.duration_s=0.01 --set target.lun_bytes=1048576",
                          dir, "--pcap " + pcap.string());
    const std::string bad = shell("tshark -r " + pcap.string() + " -o tcp.check_checksum:TRUE" +
                                  " -Y '_ws.malformed || _ws.expert.severity >= warning' 2>&1 | grep -v 'Running as user'");
    EXPECT_EQ(bad, "") << bad.substr(0, 2000);
    std::istringstream lines(shell("tshark -r " + pcap.string() + " -Y iscsi -T fields -e iscsi.opcode 2>/dev/null"));
    std::map<std::string, long> seen;
    // One frame may carry several PDUs: tshark lists their opcodes comma-separated.
    for (std::string line; std::getline(lines, line);) {
      std::istringstream ops(line);
      for (std::string op; std::getline(ops, op, ',');) ++seen[op];
    }
    const std::map<std::string, std::string> names{
        {"0x01", "scsi_command"}, {"0x05", "data_out"}, {"0x21", "scsi_response"}, {"0x25", "data_in"},
        {"0x31", "r2t"},          {"0x03", "login_request"}, {"0x23", "login_response"}};
    const auto& pdus = r["iscsi"]["pdus"];
    for (const auto& [code, name] : names)
      EXPECT_EQ(seen[code], pdus.value(name, 0L)) << scenario << " " << name;
    EXPECT_GT(seen["0x03"], 0);
    EXPECT_GT(seen["0x01"], 0);
  }
}

TEST(Iscsi, RequestSizeMustBeWholeBlocks) {
  expect_set_refused("ideal-read-64k.json", "workload.request_bytes=1000", {"workload.request_bytes"}, "bad");
}

}  // namespace
}  // namespace iscsim::testing
