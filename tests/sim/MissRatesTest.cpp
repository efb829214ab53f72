// The L2 misses' magnitude beside their shares: misses per 1,000 cycles of each cell, the paper's
// misses column over its cycles column and the model's misses over its cycles, and of each CPU's
// non-idle rows together (their cycles' weighted mean, not the cells' plain one).
#include <gtest/gtest.h>

#include "sim/calibration/MissRates.hpp"

namespace iscsim::calibration {
namespace {

nlohmann::json miss_cell(double cycles, double misses) { return {{"cycles", cycles}, {"l2_misses", misses}}; }

TEST(MissRates, EachSidesMissesOverItsCyclesAndNonIdleIsWeightedByCycles) {
  const nlohmann::json reference = {
      {"bins", {"Copies", "TCP", "idle"}},
      {"R", {{"Copies", {{"cpu0", miss_cell(1000, 5)}}}, {"TCP", {{"cpu0", miss_cell(3000, 3)}}}, {"idle", {{"cpu0", miss_cell(2000, 0)}}}}}};
  const nlohmann::json run = {
      {"cpus", {{{"bins", {{"Copies", miss_cell(2000, 4)}, {"TCP", miss_cell(2000, 1)}, {"idle", miss_cell(1000, 0)}}}}}}};
  const std::vector<MissRate> rates = miss_rates(reference, Runs{{"R", run}});
  ASSERT_EQ(rates.size(), 4u);  // three bins, then the non-idle rows
  EXPECT_EQ(rates[0].rows, "Copies");
  EXPECT_DOUBLE_EQ(rates[0].paper, 5.0);
  EXPECT_DOUBLE_EQ(rates[0].sim, 2.0);
  EXPECT_DOUBLE_EQ(rates[1].paper, 1.0);
  EXPECT_DOUBLE_EQ(rates[1].sim, 0.5);
  EXPECT_EQ(rates[3].rows, kNonIdle);
  EXPECT_DOUBLE_EQ(rates[3].paper, 1000.0 * 8 / 4000);  // idle left out
  EXPECT_DOUBLE_EQ(rates[3].sim, 1000.0 * 5 / 4000);
  const nlohmann::json j = miss_rates_json(rates);
  EXPECT_EQ(j[3]["rows"], "non-idle");
  EXPECT_DOUBLE_EQ(j[0]["l2_misses_per_1000_cycles"]["paper"].get<double>(), 5.0);
  EXPECT_NE(miss_rates_text(rates).find("R 0  Copies 2.00/5.00  TCP 0.50/1.00"), std::string::npos);
}

TEST(MissRates, OnlyWorkloadsAndCpusBothSidesHoldAreCompared) {
  const nlohmann::json reference = {{"bins", {"TCP"}}, {"W", {{"TCP", {{"cpu1", miss_cell(1000, 1)}}}}}};
  const nlohmann::json two_cpus = {{"cpus", {{{"bins", {{"TCP", miss_cell(1000, 1)}}}}, {{"bins", {{"TCP", miss_cell(500, 1)}}}}}}};
  const std::vector<MissRate> rates = miss_rates(reference, Runs{{"R", two_cpus}, {"W", two_cpus}});
  ASSERT_EQ(rates.size(), 2u);  // W's CPU1 TCP, then its non-idle rows
  EXPECT_EQ(rates[0].workload, "W");
  EXPECT_EQ(rates[0].cpu, 1);
  EXPECT_DOUBLE_EQ(rates[0].sim, 2.0);
}

}  // namespace
}  // namespace iscsim::calibration
