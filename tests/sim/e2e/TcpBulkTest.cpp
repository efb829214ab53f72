// End-to-end: the tcp-bulk scenario through the real binary. Short windows keep it fast; the
// assertions are invariants and bounds, not recorded outputs.
#include <gtest/gtest.h>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

// A short measured window: long enough for slow start to be a small part of it.
const std::string kBulkRun = " --set run.warmup_s=0.02 --set run.duration_s=0.1";

nlohmann::json run_ok(const std::string& extra, const std::filesystem::path& dir) {
  const Invocation inv =
      run_iscsim("run " + scenario_path("tcp-bulk.json") + kBulkRun + extra + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(inv.exit_code, 0) << inv.stderr_text;
  return read_json(dir / "out" / "results.json");
}

void expect_every_byte_once_in_order(const nlohmann::json& r) {
  const auto& i = r["integrity"];
  EXPECT_TRUE(i["complete"].get<bool>());
  EXPECT_EQ(i["corrupt_blocks"].get<int>(), 0);
  EXPECT_EQ(i["mismatched_bytes"].get<int>(), 0);
  EXPECT_GT(i["verified_blocks"].get<long>(), 0);
  EXPECT_EQ(i["bytes_read"].get<long>(), i["bytes_written"].get<long>());
}

// Frames are conserved across each wire: sent - lost + duplicated = received + overrun.
void expect_frames_conserved(const nlohmann::json& r) {
  const auto& nics = r["nics"];
  ASSERT_EQ(nics.size() % 2, 0u);
  for (std::size_t i = 0; i < nics.size(); i += 2) {
    for (int dir = 0; dir < 2; ++dir) {
      const auto& tx = nics[i + dir];
      const auto& rx = nics[i + 1 - dir];
      const long sent = tx["tx_frames"].get<long>() - tx["wire_faults"]["lost"].get<long>() +
                        tx["wire_faults"]["duplicated"].get<long>();
      EXPECT_EQ(sent, rx["rx_frames"].get<long>() + rx["rx_overruns"].get<long>()) << tx["name"];
    }
  }
}

TEST(TcpBulk, FillsBothGigabitLinksToTheTcpBound) {
  const auto dir = scratch_dir("bound");
  const nlohmann::json r = run_ok("", dir);
  EXPECT_GE(r["summary"]["throughput_MBps"].get<double>(), 0.99 * kTcpBoundMBps);
  EXPECT_LE(r["summary"]["throughput_MBps"].get<double>(), kTcpBoundMBps * 1.0001);
  expect_every_byte_once_in_order(r);
  expect_frames_conserved(r);
  EXPECT_EQ(r["tcp"]["retransmissions"].get<int>(), 0);
  for (const auto& c : r["tcp"]["connections"])
    EXPECT_GE(c["receiver"]["goodput_MBps"].get<double>(), 0.99 * kTcpBoundMBps / 2);
}

TEST(TcpBulk, OnePercentLossStillDeliversEveryByteOnceInOrder) {
  const auto dir = scratch_dir("loss");
  const nlohmann::json r = run_ok(" --set link.loss_rate=0.01", dir);
  expect_every_byte_once_in_order(r);
  expect_frames_conserved(r);
  EXPECT_GT(r["tcp"]["retransmissions"].get<int>(), 0);
  long lost = 0;
  for (const auto& n : r["nics"]) lost += n["wire_faults"]["lost"].get<long>();
  EXPECT_GT(lost, 0);
}

TEST(TcpBulk, CorruptReorderedAndDuplicatedFramesAreHandled) {
  const auto dir = scratch_dir("faults");
  const nlohmann::json r = run_ok(
      " --set link.corrupt_rate=0.005 --set link.reorder_rate=0.01 --set link.duplicate_rate=0.01", dir);
  expect_every_byte_once_in_order(r);
  expect_frames_conserved(r);
  long bad = 0;
  for (const auto& h : r["hosts"]) bad += h["rx_bad_frames"].get<long>();
  long corrupted = 0;
  for (const auto& n : r["nics"]) corrupted += n["wire_faults"]["corrupted"].get<long>();
  EXPECT_GT(corrupted, 0);
  EXPECT_EQ(bad, corrupted);  // every corrupted frame is caught by a checksum
}

TEST(TcpBulk, SameSeedGivesIdenticalResultsOutsideRunInfo) {
  const auto dir = scratch_dir("determinism");
  nlohmann::json a = run_ok(" --set link.loss_rate=0.005", dir / "a");
  nlohmann::json b = run_ok(" --set link.loss_rate=0.005", dir / "b");
  a.erase("run_info");
  b.erase("run_info");
  EXPECT_EQ(a.dump(), b.dump());
  nlohmann::json c = run_ok(" --set link.loss_rate=0.005 --set run.seed=2", dir / "c");
  c.erase("run_info");
  EXPECT_NE(a["tcp"].dump(), c["tcp"].dump());
}

TEST(TcpBulk, TheIdealHostHasNoCpusToMeasure) {
  // Software costs nothing there: CPU figures do not apply and are null, not zero.
  const auto dir = scratch_dir("cpus");
  const nlohmann::json r = run_ok("", dir);
  EXPECT_TRUE(r["cpus"].empty());
  for (const char* key : {"cpu_util_pct", "ghz_per_gbps", "cpu_dedicated_pct", "ghz_per_gbps_dedicated"})
    EXPECT_TRUE(r["summary"][key].is_null()) << key;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "bins.csv"));
}

}  // namespace
}  // namespace iscsim::testing
