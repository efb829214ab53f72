// Calibration's pull towards the sources compares like with like: a core CPI whose source counts
// the path's total cycles is pulled towards the compute that, with the stalls the runs charged
// the path, makes that total; a core source pulls towards itself.
#include <gtest/gtest.h>

#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {
namespace {

models::CodePathCatalog catalog(const char* kind, double per_byte_max = 0) {
  return models::CodePathCatalog::parse(
      nlohmann::json::parse(std::string(R"({"paths": {"drv": {"bin": "Driver", "sourced_cycles": ")") + kind + R"(",
    "instr_per_call": {"value": 400, "min": 100, "max": 1600, "source": "test"},
    "instr_per_byte": {"value": 0, "min": 0, "max": )" + std::to_string(per_byte_max) + R"(, "source": "test"},
    "cpi": {"value": 4, "min": 1, "max": 30, "source": "test"},
    "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}}}})"),
      "test");
}

// One run in which the path's calls stalled `stall_per_call` cycles each; the reference has no
// rows, so only the pull towards the sources decides the fit.
Runs runs_with_stalls(double stall_per_call) {
  nlohmann::json cpu{{"frequency_ghz", 2.4}};
  cpu["paths_in_window"]["drv"] = {{"calls", 100}, {"bytes", 0}, {"instr", 40000}, {"stall_cycles", 100 * stall_per_call}};
  nlohmann::json results;
  results["summary"] = {{"throughput_MBps", 100}, {"sim_time_s", 1}};
  results["cpus"] = nlohmann::json::array({cpu});
  return {{"W", results}};
}

double fitted_cpi(const char* kind, double stall_per_call, double per_byte_max = 0) {
  const models::CodePathCatalog c = catalog(kind, per_byte_max);
  return fit_catalog(c, c, nlohmann::json{{"W", nlohmann::json::object()}}, runs_with_stalls(stall_per_call))[0].cpi.value;
}

TEST(CalibrationPrior, ACoreSourcePullsTheCpiTowardsItself) { EXPECT_NEAR(fitted_cpi("core", 800), 4.0, 1e-6); }

TEST(CalibrationPrior, ATotalSourcePullsTowardsTheComputeThatItsStallsLeave) {
  // 400 instructions x 4 = 1,600 total cycles a call, 800 of them the modelled stalls: 2 a call.
  EXPECT_NEAR(fitted_cpi("total", 800), 2.0, 1e-6);
  // Stalls beyond the source leave the least CPI the path allows.
  EXPECT_NEAR(fitted_cpi("total", 2000), 1.0, 1e-6);
}

TEST(CalibrationPrior, ATotalSourceOfAPathWithPerByteWorkIsPulledAsCompute) {
  // Its stalls are not split between calls and bytes, so its source is compared as compute.
  EXPECT_FALSE(total_per_call(catalog("total", 1)[0]));
  EXPECT_NEAR(fitted_cpi("total", 800, 1), 4.0, 1e-6);
}

}  // namespace
}  // namespace iscsim::calibration
