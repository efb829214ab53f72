// Averaging runs for calibration: numbers are means over every run (a path one run never called
// counts as 0 there), structure and text come through, arrays pair up by position.
#include <gtest/gtest.h>

#include <stdexcept>

#include "sim/calibration/MeanRun.hpp"

namespace iscsim::calibration {
namespace {

TEST(MeanRun, AveragesNumbersKeyByKeyAndCountsAMissingPathAsZero) {
  const nlohmann::json a = nlohmann::json::parse(R"({"cpus": [{"bins": {"TCP": {"cycles": 10, "cpi": 2}},
      "paths_in_window": {"tcp_sendmsg": {"calls": 4}, "wake_up": {"calls": 2}}}], "scenario": {"name": "w"}})");
  const nlohmann::json b = nlohmann::json::parse(R"({"cpus": [{"bins": {"TCP": {"cycles": 30, "cpi": 4}},
      "paths_in_window": {"tcp_sendmsg": {"calls": 8}}}], "scenario": {"name": "w"}})");
  const nlohmann::json m = mean_run({a, b});
  EXPECT_DOUBLE_EQ(m["cpus"][0]["bins"]["TCP"]["cycles"].get<double>(), 20);
  EXPECT_DOUBLE_EQ(m["cpus"][0]["bins"]["TCP"]["cpi"].get<double>(), 3);
  EXPECT_DOUBLE_EQ(m["cpus"][0]["paths_in_window"]["tcp_sendmsg"]["calls"].get<double>(), 6);
  EXPECT_DOUBLE_EQ(m["cpus"][0]["paths_in_window"]["wake_up"]["calls"].get<double>(), 1);
  EXPECT_EQ(m["scenario"]["name"], "w");
}

TEST(MeanRun, OneRunIsItselfAndNoRunIsRefused) {
  const nlohmann::json a = nlohmann::json::parse(R"({"x": 1.5, "idle": {"cpi": null}})");
  EXPECT_EQ(mean_run({a}), a);
  EXPECT_THROW(mean_run({}), std::invalid_argument);
}

}  // namespace
}  // namespace iscsim::calibration
