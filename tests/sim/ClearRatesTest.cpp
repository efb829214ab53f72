// The clears' magnitude beside their shares: cleared cycles per 1,000 cycles of each cell, the
// paper's clears column taken as cycles and the model's clears times their penalty, and of each
// CPU's non-idle rows together (their cycles' weighted mean, not the cells' plain one).
#include <gtest/gtest.h>

#include "sim/calibration/ClearRates.hpp"

namespace iscsim::calibration {
namespace {

nlohmann::json cell(double cycles, double clears) { return {{"cycles", cycles}, {"clears", clears}}; }

TEST(ClearRates, ThePapersClearsAreCyclesAndTheModelsArePenaltiesAndNonIdleIsWeightedByCycles) {
  const nlohmann::json reference = {
      {"bins", {"TCP", "Kernel", "idle"}},
      {"W", {{"TCP", {{"cpu0", cell(1000, 4)}}}, {"Kernel", {{"cpu0", cell(3000, 3)}}}, {"idle", {{"cpu0", cell(2000, 1)}}}}}};
  const nlohmann::json run = {
      {"cpus", {{{"bins", {{"TCP", cell(2000, 0.04)}, {"Kernel", cell(2000, 0.02)}, {"idle", cell(1000, 0.01)}}}}}}};
  const std::vector<ClearRate> rates = clear_rates(reference, Runs{{"W", run}}, 100);
  ASSERT_EQ(rates.size(), 4u);  // three bins, then the non-idle rows
  EXPECT_EQ(rates[0].rows, "TCP");
  EXPECT_DOUBLE_EQ(rates[0].paper, 4.0);
  EXPECT_DOUBLE_EQ(rates[0].sim, 2.0);
  EXPECT_DOUBLE_EQ(rates[2].paper, 0.5);
  EXPECT_DOUBLE_EQ(rates[2].sim, 1.0);
  EXPECT_EQ(rates[3].rows, kNonIdle);
  EXPECT_DOUBLE_EQ(rates[3].paper, 1000.0 * 7 / 4000);
  EXPECT_DOUBLE_EQ(rates[3].sim, 100 * 1000.0 * 0.06 / 4000);
  const nlohmann::json j = clear_rates_json(rates);
  EXPECT_EQ(j[3]["rows"], "non-idle");
  EXPECT_DOUBLE_EQ(j[0]["cleared_cycles_per_1000"]["paper"].get<double>(), 4.0);
  EXPECT_NE(clear_rates_text(rates).find("W 0  TCP 2.0/4.0"), std::string::npos);
}

TEST(ClearRates, OnlyWorkloadsAndCpusBothSidesHoldAreCompared) {
  const nlohmann::json reference = {{"bins", {"idle"}}, {"R", {{"idle", {{"cpu0", cell(1000, 1)}}}}}};
  const nlohmann::json two_cpus = {{"cpus", {{{"bins", {{"idle", cell(1000, 0.01)}}}}, {{"bins", {{"idle", cell(1000, 0.01)}}}}}}};
  const std::vector<ClearRate> rates = clear_rates(reference, Runs{{"R", two_cpus}, {"W", two_cpus}}, 100);
  ASSERT_EQ(rates.size(), 1u);  // R's CPU0 idle row; no non-idle rows, so no total
  EXPECT_EQ(rates[0].workload, "R");
  EXPECT_EQ(rates[0].cpu, 0);
}

TEST(ClearRates, TheModelsRatesSplitByCauseAddUpToItsRate) {
  const nlohmann::json reference = {{"bins", {"Driver"}}, {"R", {{"Driver", {{"cpu0", cell(1000, 3)}}}}}};
  nlohmann::json driver = cell(2000, 0.04);
  driver["clears_by_cause"] = {{"profiler_nmi", 0.01}, {"memory_order_dma", 0.03}};  // causes not named are 0
  const nlohmann::json run = {{"cpus", {{{"bins", {{"Driver", driver}}}}}}};
  const std::vector<ClearRate> rates = clear_rates(reference, Runs{{"R", run}}, 100);
  ASSERT_EQ(rates.size(), 2u);
  const auto of = [](const ClearRate& r, models::ClearCause c) { return r.sim_by_cause[static_cast<std::size_t>(c)]; };
  EXPECT_DOUBLE_EQ(of(rates[0], models::ClearCause::ProfilerNmi), 0.5);
  EXPECT_DOUBLE_EQ(of(rates[0], models::ClearCause::SnoopByDevice), 1.5);
  EXPECT_DOUBLE_EQ(of(rates[0], models::ClearCause::Interrupt), 0);
  EXPECT_DOUBLE_EQ(of(rates[1], models::ClearCause::SnoopByDevice), 1.5);  // the non-idle rows
  const nlohmann::json j = clear_rates_json(rates);
  EXPECT_DOUBLE_EQ(j[0]["cleared_cycles_per_1000"]["sim_by_cause"]["memory_order_dma"].get<double>(), 1.5);
  EXPECT_NE(clear_rates_text(rates).find("R 0  0.00 0.50 0.00 0.00 1.50"), std::string::npos);
}

}  // namespace
}  // namespace iscsim::calibration
