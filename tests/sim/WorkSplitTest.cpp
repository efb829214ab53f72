// The work split between the CPUs: CPU1's non-idle instructions over CPU0's, in Table 1 and in a
// run, idle left out on both sides.
#include <gtest/gtest.h>

#include "sim/calibration/WorkSplit.hpp"

namespace iscsim::calibration {
namespace {

nlohmann::json reference() {
  // CPU0 retires 100 + 300 non-idle instructions, CPU1 200 + 400; idle's are left out.
  return nlohmann::json::parse(R"({"bins": ["TCP", "Kernel", "idle"],
    "R": {"TCP": {"cpu0": {"instr": 100}, "cpu1": {"instr": 200}},
          "Kernel": {"cpu0": {"instr": 300}, "cpu1": {"instr": 400}},
          "idle": {"cpu0": {"instr": 5000}, "cpu1": {"instr": 7000}}}})");
}

nlohmann::json run(double cpu0, double cpu1) {
  const auto cpu = [](double instr) {
    return nlohmann::json{{"bins", {{"TCP", {{"instr", instr / 2}}}, {"Kernel", {{"instr", instr / 2}}}, {"idle", {{"instr", 1e6}}}}}};
  };
  return {{"cpus", nlohmann::json::array({cpu(cpu0), cpu(cpu1)})}};
}

TEST(WorkSplit, ComparesCpu1sNonIdleInstructionsOverCpu0sWithThePapers) {
  const std::vector<WorkSplit> s = cpu1_over_cpu0_instructions(reference(), {{"R", run(800, 600)}});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].workload, "R");
  EXPECT_DOUBLE_EQ(s[0].paper, 1.5);
  EXPECT_DOUBLE_EQ(s[0].sim, 0.75);
  EXPECT_EQ(work_split_text(s), "instructions retired on CPU1 over CPU0 (non-idle bins), paper/model:  R 1.50/0.75\n");
}

TEST(WorkSplit, AWorkloadTheReferenceLacksOrARunWithoutTwoCpusHasNone) {
  EXPECT_TRUE(cpu1_over_cpu0_instructions(reference(), {{"W", run(800, 600)}}).empty());
  nlohmann::json one = run(800, 600);
  one["cpus"].erase(1);
  EXPECT_TRUE(cpu1_over_cpu0_instructions(reference(), {{"R", one}}).empty());
  EXPECT_EQ(work_split_text({}), "");
}

}  // namespace
}  // namespace iscsim::calibration
