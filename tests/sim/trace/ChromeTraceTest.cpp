// ChromeTrace keeps only its window (slices clipped, counters opened with the value they hold at
// its start and written when they change) and writes trace-event JSON that viewers read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/trace/ChromeTrace.hpp"

namespace iscsim::trace {
namespace {

constexpr Picos kMicro = models::kPicosPerMicro;

std::filesystem::path temp_file(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const auto dir = std::filesystem::path(::testing::TempDir()) / "iscsim-tests" / info->name();
  std::filesystem::create_directories(dir);
  return dir / name;
}

nlohmann::json read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

std::vector<nlohmann::json> events(const nlohmann::json& doc, const std::string& ph) {
  std::vector<nlohmann::json> out;
  for (const auto& e : doc["traceEvents"])
    if (e["ph"] == ph) out.push_back(e);
  return out;
}

world::WorkSlice slice(std::string_view name, Picos start, Picos end) {
  world::WorkSlice s{name, start, end};
  s.add("tcp_rcv_established", "TCP", 1, 300);
  s.add("e1000_clean_rx", "Driver", 2, 500);
  s.add("tcp_rcv_established", "TCP", 1, 300);
  return s;
}

TEST(ChromeTrace, KeepsOnlyTheWindowAndClipsSlicesToIt) {
  const auto path = temp_file("window.json");
  ChromeTrace t(path.string(), TraceWindow{100 * kMicro, 200 * kMicro});
  const world::TimelineTrack cpu = t.track("initiator", "CPU0 cpu");
  t.slice(cpu, slice("before", 10 * kMicro, 50 * kMicro));
  t.slice(cpu, slice("across start", 90 * kMicro, 110 * kMicro));
  t.slice(cpu, slice("inside", 120 * kMicro, 130 * kMicro));
  t.slice(cpu, slice("across end", 190 * kMicro, 250 * kMicro));
  t.slice(cpu, slice("after", 200 * kMicro, 210 * kMicro));
  t.instant(cpu, 99 * kMicro, "irq nic0", "interrupt");
  t.instant(cpu, 150 * kMicro, "irq nic0", "interrupt");
  t.instant(cpu, 200 * kMicro, "irq nic0", "interrupt");
  t.close();

  const nlohmann::json doc = read(path);
  EXPECT_EQ(doc["displayTimeUnit"], "ns");
  const auto xs = events(doc, "X");
  ASSERT_EQ(xs.size(), 3u);
  EXPECT_EQ(xs[0]["name"], "across start");
  EXPECT_DOUBLE_EQ(xs[0]["ts"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(xs[0]["dur"].get<double>(), 10.0);
  EXPECT_TRUE(xs[0]["args"]["clipped"].get<bool>());
  EXPECT_EQ(xs[1]["name"], "inside");
  EXPECT_FALSE(xs[1]["args"].contains("clipped"));
  EXPECT_DOUBLE_EQ(xs[2]["ts"].get<double>() + xs[2]["dur"].get<double>(), 200.0);
  const auto is = events(doc, "i");
  ASSERT_EQ(is.size(), 1u);
  EXPECT_DOUBLE_EQ(is[0]["ts"].get<double>(), 150.0);
}

TEST(ChromeTrace, SliceListsItsPathsAndItsBinsByCycles) {
  const auto path = temp_file("paths.json");
  ChromeTrace t(path.string(), TraceWindow{0, 1000 * kMicro});
  const world::TimelineTrack cpu = t.track("initiator", "CPU0 cpu");
  world::WorkSlice s = slice("softirq NET_RX", 10 * kMicro, 20 * kMicro);
  t.slice(cpu, s);
  s.continued();
  s.start = 30 * kMicro;
  s.end = 40 * kMicro;
  t.slice(cpu, s);
  t.close();

  const auto xs = events(read(path), "X");
  ASSERT_EQ(xs.size(), 2u);
  EXPECT_EQ(xs[0]["cat"], "TCP,Driver");  // 600 cycles of TCP, 500 of Driver
  const auto& tcp = xs[0]["args"]["paths"]["tcp_rcv_established"];
  EXPECT_EQ(tcp["bin"], "TCP");
  EXPECT_DOUBLE_EQ(tcp["calls"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(tcp["cycles"].get<double>(), 600);
  // The piece after a preemption keeps the work's bins but lists no path again.
  EXPECT_EQ(xs[1]["cat"], "TCP,Driver");
  EXPECT_TRUE(xs[1]["args"]["resumed"].get<bool>());
  EXPECT_FALSE(xs[1]["args"].contains("paths"));
}

TEST(ChromeTrace, CountersOpenTheWindowWithTheirValueAndAreWrittenWhenTheyChange) {
  const auto path = temp_file("counters.json");
  ChromeTrace t(path.string(), TraceWindow{100 * kMicro, 200 * kMicro});
  const world::TimelineTrack host = t.track("initiator", "");
  t.counter(host, 10 * kMicro, "run queue", "threads", 1);
  t.counter(host, 20 * kMicro, "run queue", "threads", 2);
  t.counter(host, 150 * kMicro, "nic0 TX ring", "descriptors in use", 5);
  t.counter(host, 160 * kMicro, "run queue", "threads", 2);  // unchanged: not written again
  t.counter(host, 170 * kMicro, "run queue", "threads", 0);
  t.counter(host, 250 * kMicro, "run queue", "threads", 3);  // after the window
  t.close();

  std::vector<std::pair<double, double>> queue;
  for (const auto& c : events(read(path), "C"))
    if (c["name"] == "run queue") queue.emplace_back(c["ts"].get<double>(), c["args"]["threads"].get<double>());
  const std::vector<std::pair<double, double>> expected = {{100.0, 2.0}, {170.0, 0.0}};
  EXPECT_EQ(queue, expected);
}

TEST(ChromeTrace, ThreadsAreNamedAndTheirIdsUniqueAcrossProcesses) {
  const auto path = temp_file("tracks.json");
  ChromeTrace t(path.string(), TraceWindow{0, kMicro});
  const world::TimelineTrack a0 = t.track("initiator", "CPU0 cpu");
  const world::TimelineTrack a1 = t.track("initiator", "CPU1 cpu");
  const world::TimelineTrack b0 = t.track("other", "CPU0 cpu");
  EXPECT_EQ(t.track("initiator", "CPU1 cpu").tid, a1.tid);
  EXPECT_EQ(a0.pid, a1.pid);
  EXPECT_NE(a0.pid, b0.pid);
  EXPECT_NE(a0.tid, a1.tid);
  EXPECT_NE(a0.tid, b0.tid);
  t.close();

  std::map<int, std::string> names;
  for (const auto& m : events(read(path), "M"))
    if (m["name"] == "thread_name") names[m["tid"].get<int>()] = m["args"]["name"];
  EXPECT_EQ(names[a1.tid], "CPU1 cpu");
  EXPECT_EQ(names.size(), 3u);
}

}  // namespace
}  // namespace iscsim::trace
