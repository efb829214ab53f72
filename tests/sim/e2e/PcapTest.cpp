// The pcap of a tcp-bulk run opens in tshark: many frames, none malformed, no bad checksum.
#include <gtest/gtest.h>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

TEST(Pcap, TcpBulkCaptureIsWellFormedForTshark) {
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  const auto dir = scratch_dir("pcap");
  const auto pcap = dir / "wire.pcap";
  const Invocation inv = run_iscsim("run " + scenario_path("tcp-bulk.json") +
                                        " --set run.warmup_s=0.005 --set run.duration_s=0.01 -o " +
                                        (dir / "out").string() + " --pcap " + pcap.string(),
                                    dir);
  ASSERT_EQ(inv.exit_code, 0) << inv.stderr_text;
  const std::string count = shell("tshark -r " + pcap.string() + " 2>/dev/null | wc -l");
  EXPECT_GT(std::stol(count), 1000);
  const std::string bad =
      shell("tshark -r " + pcap.string() +
            " -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE"
            " -Y '_ws.malformed || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\"' 2>&1 | grep -v 'Running as user'");  // tshark's warning when run as root
  EXPECT_EQ(bad, "") << bad.substr(0, 2000);
  // Frames written = frames the NICs transmitted.
  const auto r = read_json(dir / "out" / "results.json");
  long tx = 0;
  for (const auto& n : r["nics"]) tx += n["tx_frames"].get<long>();
  EXPECT_EQ(std::stol(count), tx);
}

}  // namespace
}  // namespace iscsim::testing
