// Calibration's drift report compares like with like: a source that counts a path's total
// cycles is compared with the fitted compute plus the path's modelled stalls per call.
#include <gtest/gtest.h>

#include "sim/calibration/Residuals.hpp"

namespace iscsim::calibration {
namespace {

models::CodePathCatalog catalog(double instr, const char* kind) {
  return models::CodePathCatalog::parse(nlohmann::json::parse(std::string(R"({"paths": {"drv": {"bin": "Driver",
    "sourced_cycles": ")") + kind + R"(",
    "instr_per_call": {"value": )" + std::to_string(instr) + R"(, "min": 1, "max": 1000, "source": "test"},
    "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
    "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
    "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}}}})"),
                                        "test");
}

Runs runs_with_stalls(double calls_cpu0, double stall_cpu0, double calls_cpu1, double stall_cpu1) {
  const auto cpu = [](double calls, double stall) {
    nlohmann::json tally{{"calls", calls}, {"bytes", 0}, {"instr", 0}, {"stall_cycles", stall}};
    nlohmann::json c;
    c["paths_in_window"]["drv"] = tally;
    return c;
  };
  nlohmann::json results;
  results["cpus"] = nlohmann::json::array({cpu(calls_cpu0, stall_cpu0), cpu(calls_cpu1, stall_cpu1)});
  return {{"W", results}};
}

TEST(Residuals, StallsPerCallAverageOverEveryCpuAndRun) {
  const auto stalls = stall_cycles_per_call(runs_with_stalls(100, 150000, 300, 50000));
  EXPECT_DOUBLE_EQ(stalls.at("drv"), 500.0);
}

TEST(Residuals, ATotalSourceIsComparedWithComputePlusStalls) {
  // Sourced 400 x 2 = 800 total cycles; fitted 10 x 2 = 20 of compute, plus 700 of stalls.
  const std::map<std::string, double> stalls{{"drv", 700}};
  EXPECT_TRUE(drifts(catalog(10, "total"), catalog(400, "total"), stalls, 3).empty());
  // The same numbers, sourced as compute alone: 20 against 800 is beyond 3x.
  const auto drift = drifts(catalog(10, "total"), catalog(400, "core"), stalls, 3);
  ASSERT_EQ(drift.size(), 1u);
  EXPECT_EQ(drift[0].what, "compute cycles per call");
  EXPECT_DOUBLE_EQ(drift[0].fitted, 20.0);
}

}  // namespace
}  // namespace iscsim::calibration
