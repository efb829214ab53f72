#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <filesystem>

#include "sim/trace/PcapWriter.hpp"

namespace iscsim::trace {
namespace {

TEST(PcapWriter, WritesFramesInTimeOrderWithNanosecondStamps) {
  const std::string path = (std::filesystem::path(::testing::TempDir()) / "pcapwriter-test.pcap").string();
  {
    PcapWriter w(path);
    w.add(2'000'000'123, {3, 3, 3});
    w.add(1'000'000'005, {1});
    w.flush_until(1'500'000'000);
    w.add(1'999'999'999, {2, 2});
    w.close();
    EXPECT_EQ(w.frames_written(), 3u);
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  ASSERT_NE(p, nullptr) << err;
  EXPECT_EQ(pcap_datalink(p), DLT_EN10MB);
  const std::int64_t want_ns[] = {1'000'000'005, 1'999'999'999, 2'000'000'123};
  for (int i = 0; i < 3; ++i) {
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
    EXPECT_EQ(static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, want_ns[i]);
    EXPECT_EQ(h->caplen, static_cast<unsigned>(i + 1));
    EXPECT_EQ(data[0], i + 1);
  }
  pcap_close(p);
}

TEST(PcapWriter, UnwritablePathIsANamedError) {
  try {
    PcapWriter w("/nonexistent-dir/x.pcap");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.pcap"), std::string::npos);
  }
}

}  // namespace
}  // namespace iscsim::trace
