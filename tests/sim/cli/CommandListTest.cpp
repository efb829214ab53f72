// What a user reads first: every command `iscsim --help` lists is named by the unknown-command
// message and has its own --help; defaults print as typed; a long run shows its progress on a
// terminal (and nothing elsewhere: OutputSafetyTest).
#include <gtest/gtest.h>

#include <sstream>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

// The command names of `iscsim --help`: the first word of each line under "commands:".
std::vector<std::string> listed_commands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream in(help);
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "commands:") {
      inside = true;
    } else if (inside && line.rfind("  ", 0) == 0) {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (inside) {
      break;
    }
  }
  return names;
}

TEST(CommandList, UnknownCommandNamesEveryListedCommand) {
  const auto dir = scratch_dir("commands");
  const Invocation help = run_iscsim("--help", dir);
  ASSERT_EQ(help.exit_code, 0);
  const std::vector<std::string> commands = listed_commands(help.stdout_text);
  ASSERT_GE(commands.size(), 5u) << help.stdout_text;
  const Invocation unknown = run_iscsim("frobnicate", dir);
  EXPECT_EQ(unknown.exit_code, 2);
  for (const std::string& c : commands) {
    EXPECT_NE(unknown.stderr_text.find(c), std::string::npos) << c << " missing from: " << unknown.stderr_text;
    const Invocation own = run_iscsim(c + " --help", dir);
    EXPECT_EQ(own.exit_code, 0) << c;
    EXPECT_NE(own.stdout_text.find("usage: iscsim " + c), std::string::npos) << c << ": " << own.stdout_text;
  }
}

TEST(CommandList, CalibrateHelpPrintsDefaultsAsTypedAndWritesUnderOut) {
  const auto dir = scratch_dir("calibrate-help");
  const Invocation r = run_iscsim("calibrate --help", dir);
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.stdout_text.find("(=0.3)"), std::string::npos) << r.stdout_text;
  EXPECT_EQ(r.stdout_text.find("0.2999"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("(=out/calibrate/"), std::string::npos) << r.stdout_text;
}

TEST(CommandList, ProgressLineOnATerminal) {
  if (shell("command -v script").empty()) GTEST_SKIP() << "script (bsdutils) not installed";
  const auto dir = scratch_dir("progress");
  // A run far longer than the line's 2 s of silence on a terminal (script's pseudo-terminal),
  // interrupted after 4 s.
  const std::string run = "timeout -s INT 4 " + std::string(ISCSIM_BINARY) + " run " +
                          scenario_path("tcp-bulk.json") + " --set run.duration_s=600 -o " + (dir / "out").string();
  const std::string seen = shell("script -qec '" + run + "' /dev/null");
  EXPECT_NE(seen.find("window: "), std::string::npos) << seen;
  EXPECT_NE(seen.find("simulated s per wall s"), std::string::npos) << seen;
}

}  // namespace
}  // namespace iscsim::testing
