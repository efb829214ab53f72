// The command line's contract (INTERFACE.md): help, version, exit codes, and bad input that is
// named clearly and leaves no output behind.
#include <gtest/gtest.h>

#include <fstream>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

TEST(Cli, VersionAndHelp) {
  const auto dir = scratch_dir("help");
  Invocation v = run_iscsim("--version", dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.stdout_text.find("iscsim "), std::string::npos);
  for (const char* cmd : {"--help", "run --help", "validate --help"}) {
    Invocation h = run_iscsim(cmd, dir);
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_NE(h.stdout_text.find("usage"), std::string::npos) << cmd;
  }
}

TEST(Cli, UnknownCommandIsBadInput) {
  const auto dir = scratch_dir("cmd");
  Invocation r = run_iscsim("simulate x.json", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("run, validate"), std::string::npos);
}

TEST(Cli, UnknownScenarioKeyExits2NamingItAndWritesNothing) {
  const auto dir = scratch_dir("unknown-key");
  write_text(dir / "bad.json", R"({"extends": ")" + scenario_path("tcp-bulk.json") + R"(", "nics": {"cuont": 3}})");
  Invocation r = run_iscsim("run " + (dir / "bad.json").string() + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nics.cuont"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("count"), std::string::npos) << r.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(Cli, WrongTypeExits2NamingThePath) {
  const auto dir = scratch_dir("type");
  Invocation r = run_iscsim("run " + scenario_path("tcp-bulk.json") + " --set nics.link_gbps='\"fast\"' -o " +
                                (dir / "out").string(),
                            dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nics.link_gbps"), std::string::npos) << r.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(Cli, MissingScenarioFileExits2) {
  const auto dir = scratch_dir("missing");
  Invocation r = run_iscsim("run " + (dir / "nope.json").string(), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nope.json"), std::string::npos);
}

TEST(Cli, UnknownOptionExits2) {
  const auto dir = scratch_dir("option");
  Invocation r = run_iscsim("run " + scenario_path("tcp-bulk.json") + " --frobnicate", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("frobnicate"), std::string::npos);
}

TEST(Cli, ValidatePrintsTheResolvedScenario) {
  const auto dir = scratch_dir("validate");
  Invocation r = run_iscsim("validate " + scenario_path("tcp-bulk.json") + " --set host.cpu.frequency_ghz=3.2", dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  const auto j = nlohmann::json::parse(r.stdout_text);
  EXPECT_DOUBLE_EQ(j["host"]["cpu"]["frequency_ghz"].get<double>(), 3.2);
  EXPECT_EQ(j["nics"]["count"].get<int>(), 2);
}

TEST(Cli, BulkTcpOnACostedHostIsRefusedClearly) {
  const auto dir = scratch_dir("arch");
  Invocation r = run_iscsim("run " + scenario_path("tcp-bulk.json") + " --set host.architecture=smp -o " +
                                (dir / "out").string(),
                            dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("workload.type"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  // validate refuses exactly what run refuses
  EXPECT_EQ(run_iscsim("validate " + scenario_path("tcp-bulk.json") + " --set host.architecture=amp", dir).exit_code, 2);
}

}  // namespace
}  // namespace iscsim::testing
