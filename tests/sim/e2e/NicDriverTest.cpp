// The e1000 driver's interrupt moderation on each side of the wire: the paper scenarios program
// driver 4.1.7's on every machine, and target.nic_driver gives the targets a driver of their own.
#include <gtest/gtest.h>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

nlohmann::json driver_params(const std::string& name) {
  return read_json(std::string(ISCSIM_SOURCE_DIR) + "/models/params/driver/" + name + ".json")["params"];
}

TEST(NicDriver, ThePaperScenariosProgramDriver417OnEveryMachine) {
  // The scenarios spell the values out for the initiator (nics.*); they must be the driver's.
  const nlohmann::json driver = driver_params("e1000-4.1.7");
  for (const char* name : {"paper/smp-write-64k.json", "paper/smp-read-64k.json", "paper/smp-write-8k.json",
                           "paper/smp-read-8k.json", "paper/amp-write-64k.json", "paper/amp-read-64k.json"}) {
    const auto dir = scratch_dir("validate");
    const Invocation inv = run_iscsim("validate " + scenario_path(name), dir);
    ASSERT_EQ(inv.exit_code, 0) << inv.stderr_text;
    const nlohmann::json s = nlohmann::json::parse(inv.stdout_text);
    for (const auto& [key, p] : driver.items()) EXPECT_EQ(s["nics"][key], p["value"]) << name << " nics." << key;
    EXPECT_EQ(s["target"]["nic_driver"], "initiator") << name;
  }
}

TEST(NicDriver, TheTargetsTakeTheirOwnDriversModeration) {
  // The initiator throttled at 8,000 interrupts a second (the nics.* defaults); the targets on
  // 4.1.7's packet timers, which the writes' steady data stream restarts until a pause.
  const double itr = driver_params("e1000-5.x")["itr_ints_per_s"]["value"].get<double>();
  const auto dir = scratch_dir("target-driver");
  const Invocation inv = run_iscsim("run " + scenario_path("ideal-write-64k.json") +
                                        " --set run.duration_s=0.2 --set target.nic_driver=e1000-4.1.7" + kTestLun +
                                        "-o " + (dir / "out").string(),
                                    dir);
  ASSERT_EQ(inv.exit_code, 0) << inv.stderr_text;
  const nlohmann::json r = read_json(dir / "out" / "results.json");
  EXPECT_TRUE(r["integrity"]["complete"].get<bool>());
  EXPECT_EQ(r["integrity"]["corrupt_blocks"], 0);
  const nlohmann::json old = driver_params("e1000-4.1.7");
  int targets = 0;
  for (const auto& nic : r["nics"]) {
    const double rate = nic["interrupts_per_s"].get<double>();
    // results.json says what each NIC was programmed with.
    const nlohmann::json& programmed = nic["moderation"];
    if (nic["name"].get<std::string>().rfind("target", 0) == 0) {
      ++targets;
      EXPECT_GT(rate, 1.2 * itr) << nic["name"];
      for (const auto& [key, p] : old.items()) EXPECT_NEAR(programmed[key].get<double>(), p["value"].get<double>(), 1e-9) << key;
    } else {
      EXPECT_LE(rate, 1.001 * itr) << nic["name"];  // within the NICs' clock tolerance
      EXPECT_EQ(programmed["itr_ints_per_s"].get<double>(), itr);
    }
    EXPECT_LE(nic["rxdmt0_interrupts"].get<double>(), nic["interrupts"].get<double>());
  }
  EXPECT_EQ(targets, 2);
}

TEST(NicDriver, AnUnknownDriverIsNamedWithTheAllowedOnes) {
  expect_set_refused("ideal-read-64k.json", "target.nic_driver=e1000-4.2",
                     {"target.nic_driver", "e1000-4.2", "initiator", "e1000-4.1.7", "e1000-5.x"}, "bad-driver");
}

}  // namespace
}  // namespace iscsim::testing
