// `iscsim run --pcap-snaplen` writes headers-only captures that tshark still decodes, and
// `--pcap-window` keeps only the frames that start inside the window.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

constexpr unsigned kSnap = 96;

struct Capture {
  int snaplen = 0;
  long frames = 0;
  long truncated = 0;  // frames longer than what was kept
  bool lengths_consistent = true;
  double first_s = 0, last_s = 0;
};

Capture read_capture(const std::filesystem::path& path) {
  Capture c;
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  EXPECT_NE(p, nullptr) << err;
  if (p == nullptr) return c;
  c.snaplen = pcap_snapshot(p);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1) {
    const double t = static_cast<double>(h->ts.tv_sec) + static_cast<double>(h->ts.tv_usec) * 1e-9;
    if (c.frames == 0) c.first_s = t;
    c.last_s = t;
    ++c.frames;
    c.truncated += h->len > h->caplen;
    c.lengths_consistent &= h->caplen == std::min<unsigned>(h->len, static_cast<unsigned>(c.snaplen));
  }
  pcap_close(p);
  return c;
}

long transmitted_frames(const std::filesystem::path& results) {
  const nlohmann::json r = read_json(results);
  long tx = 0;
  for (const auto& n : r["nics"]) tx += n["tx_frames"].get<long>();
  return tx;
}

TEST(PcapHeadersOnly, SnapLengthKeepsHeadersAndTsharkDecodesThem) {
  const auto dir = scratch_dir("snaplen");
  const auto pcap = dir / "headers.pcap";
  const Invocation inv = run_iscsim("run " + scenario_path("ideal-write-64k.json") +
                                        " --set run.warmup_s=0.005 --set run.duration_s=0.005"
                                        " --set workload.readback=false -o " +
                                        (dir / "out").string() + " --pcap " + pcap.string() +
                                        " --pcap-snaplen " + std::to_string(kSnap),
                                    dir);
  ASSERT_EQ(inv.exit_code, 0) << inv.stderr_text;
  const Capture c = read_capture(pcap);
  EXPECT_EQ(c.snaplen, static_cast<int>(kSnap));
  EXPECT_TRUE(c.lengths_consistent);
  EXPECT_EQ(c.frames, transmitted_frames(dir / "out" / "results.json"));
  EXPECT_GT(c.truncated, c.frames / 4) << "data segments are longer than the snap length";
  if (!have_tshark()) GTEST_SKIP() << "tshark not installed";
  // Every frame still decodes to its TCP header; none is called malformed.
  const std::string tcp = shell("tshark -r " + pcap.string() + " -T fields -e tcp.srcport 2>/dev/null | grep -c .");
  EXPECT_EQ(std::stol(tcp), c.frames);
  const std::string bad = shell("tshark -r " + pcap.string() +
                                " -Y '_ws.malformed' 2>&1 | grep -v 'Running as user'");  // tshark's warning as root
  EXPECT_EQ(bad, "") << bad.substr(0, 2000);
}

TEST(PcapHeadersOnly, WindowKeepsOnlyFramesStartingInIt) {
  const auto dir = scratch_dir("window");
  const auto pcap = dir / "window.pcap";
  const Invocation inv = run_iscsim("run " + scenario_path("tcp-bulk.json") +
                                        " --set run.warmup_s=0.005 --set run.duration_s=0.01 -o " +
                                        (dir / "out").string() + " --pcap " + pcap.string() +
                                        " --pcap-window 0.008:0.009",
                                    dir);
  ASSERT_EQ(inv.exit_code, 0) << inv.stderr_text;
  const Capture c = read_capture(pcap);
  EXPECT_GT(c.frames, 0);
  EXPECT_LT(c.frames, transmitted_frames(dir / "out" / "results.json"));
  EXPECT_GE(c.first_s, 0.008);
  EXPECT_LT(c.last_s, 0.009);
}

}  // namespace
}  // namespace iscsim::testing
