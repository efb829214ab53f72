// The one throughput figure of Table 1: each workload's cycles per unit of work summed over its
// bins (idle included) and averaged over its CPUs is the wall time that work took, so writes
// over reads compares with the runs' read throughput over their write throughput.
#include <gtest/gtest.h>

#include "sim/calibration/WorkTime.hpp"

namespace iscsim::calibration {
namespace {

nlohmann::json table1(double write_cycles, double read_cycles) {
  // Two bins, two CPUs; the first CPU's cycles split over the bins, the second's all idle.
  const auto workload = [](double cycles) {
    return nlohmann::json{{"TCP", {{"cpu0", {{"cycles", cycles / 4}}}, {"cpu1", {{"cycles", 0.0}}}}},
                          {"idle", {{"cpu0", {{"cycles", 3 * cycles / 4}}}, {"cpu1", {{"cycles", cycles}}}}}};
  };
  return {{"bins", {"TCP", "idle"}}, {"W", workload(write_cycles)}, {"R", workload(read_cycles)}};
}

nlohmann::json run_at(double mbps) { return {{"summary", {{"throughput_MBps", mbps}}}}; }

TEST(WorkTime, WritesOverReadsComparesThePapersCyclesWithTheRunsThroughputs) {
  const auto ratio = write_over_read_time(table1(150, 100), Runs{{"W", run_at(100)}, {"R", run_at(200)}});
  ASSERT_TRUE(ratio.has_value());
  EXPECT_DOUBLE_EQ(ratio->paper, 1.5);
  EXPECT_DOUBLE_EQ(ratio->sim, 2.0);
  EXPECT_NE(work_time_text(ratio).find("paper 1.500"), std::string::npos);
}

TEST(WorkTime, NeedsBothWorkloadsInTheRunsAndTheReference) {
  EXPECT_FALSE(write_over_read_time(table1(150, 100), Runs{{"W", run_at(100)}}).has_value());
  nlohmann::json only_writes = table1(150, 100);
  only_writes.erase("R");
  EXPECT_FALSE(write_over_read_time(only_writes, Runs{{"W", run_at(100)}, {"R", run_at(200)}}).has_value());
  EXPECT_TRUE(work_time_text(std::nullopt).empty());
}

}  // namespace
}  // namespace iscsim::calibration
