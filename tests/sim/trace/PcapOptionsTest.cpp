// A capture's snap length and time window: the file header's snaplen, each record's captured and
// original lengths, and which frames are kept.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <filesystem>

#include "sim/trace/PcapWriter.hpp"

namespace iscsim::trace {
namespace {

struct Record {
  std::int64_t time_ns;
  std::uint32_t caplen;
  std::uint32_t len;
};

std::vector<Record> read_records(const std::string& path, int& snaplen) {
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, err);
  EXPECT_NE(p, nullptr) << err;
  std::vector<Record> out;
  if (p == nullptr) return out;
  snaplen = pcap_snapshot(p);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  while (pcap_next_ex(p, &h, &data) == 1)
    out.push_back({static_cast<std::int64_t>(h->ts.tv_sec) * 1'000'000'000 + h->ts.tv_usec, h->caplen, h->len});
  pcap_close(p);
  return out;
}

std::string temp(const char* name) { return (std::filesystem::path(::testing::TempDir()) / name).string(); }

TEST(PcapOptions, SnapLengthTruncatesRecordsAndKeepsTheirRealLength) {
  const std::string path = temp("pcap-snaplen.pcap");
  PcapOptions o;
  o.snap_bytes = 96;
  {
    PcapWriter w(path, o);
    w.add(1, std::vector<std::uint8_t>(1514, 0xAB));
    w.add(2, std::vector<std::uint8_t>(60, 0xCD));
    w.close();
  }
  int snaplen = 0;
  const auto r = read_records(path, snaplen);
  EXPECT_EQ(snaplen, 96);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].caplen, 96u);
  EXPECT_EQ(r[0].len, 1514u);
  EXPECT_EQ(r[1].caplen, 60u);
  EXPECT_EQ(r[1].len, 60u);
}

TEST(PcapOptions, WholeFramesByDefault) {
  const std::string path = temp("pcap-whole.pcap");
  {
    PcapWriter w(path);
    w.add(1, std::vector<std::uint8_t>(1514, 0xAB));
  }
  int snaplen = 0;
  const auto r = read_records(path, snaplen);
  EXPECT_EQ(snaplen, static_cast<int>(kWholeFrames));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].caplen, 1514u);
  EXPECT_EQ(r[0].len, 1514u);
}

TEST(PcapOptions, WindowKeepsFramesStartingInsideIt) {
  const std::string path = temp("pcap-window.pcap");
  PcapOptions o;
  o.from_ns = 100;
  o.until_ns = 200;
  {
    PcapWriter w(path, o);
    for (std::int64_t t : {99, 100, 150, 199, 200, 250}) w.add(t, {1, 2, 3});
    w.close();
    EXPECT_EQ(w.frames_written(), 3u);
  }
  int snaplen = 0;
  const auto r = read_records(path, snaplen);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].time_ns, 100);
  EXPECT_EQ(r[1].time_ns, 150);
  EXPECT_EQ(r[2].time_ns, 199);
}

TEST(PcapOptions, SnapLengthOutsideWhatReadersAcceptIsRefused) {
  for (std::uint32_t snap : {kMinSnapBytes - 1, kMaxSnapBytes + 1}) {
    PcapOptions o;
    o.snap_bytes = snap;
    EXPECT_THROW(PcapWriter(temp("pcap-bad.pcap"), o), std::invalid_argument) << snap;
  }
}

}  // namespace
}  // namespace iscsim::trace
