// `iscsim serve` and `iscsim probe` as a user runs them: where serve listens, clean stops on
// SIGINT and SIGTERM, and exit status 2 with a clear message for bad input.
#include <gtest/gtest.h>

#include <csignal>

#include "tests/wire/WireProcess.hpp"

namespace iscsim::wire::testing {
namespace {

constexpr std::chrono::seconds kLimit{30};

Shell iscsim(const std::string& args) { return run_shell(std::string(ISCSIM_BINARY) + " " + args, kLimit); }

TEST(ServeCli, StopsCleanlyOnSigintAndSigterm) {
  for (int signal : {SIGINT, SIGTERM}) {
    ServeProcess serve("iqn.2004-01.org.iscsim:cli");
    ASSERT_NE(serve.port(), 0) << "no \"listening on\" line; see " << serve.log_path();
    const Shell probe = iscsim("probe " + serve.url());
    EXPECT_EQ(probe.exit_code, 0) << probe.output;
    EXPECT_EQ(serve.child().stop(signal, std::chrono::seconds(10)), 0) << "signal " << signal;
  }
}

TEST(ServeCli, BadInputIsExitTwoWithTheReason) {
  const struct {
    const char* args;
    const char* says;
  } cases[] = {
      {"serve --target-name iqn.x:y --lun-size 1M", "--listen is required"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 12Q", "is not a size"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 100", "at least one 512-byte block"},
      {"serve --listen 127.0.0.1:99999 --target-name iqn.x:y --lun-size 1M", "port must be a number"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 1M --chap alice", "USER:SECRET"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 1M --mutual-chap a:b", "needs --chap"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 1M --max-sessions 0", "at least 1"},
      {"serve --listen 127.0.0.1:0 --target-name iqn.x:y --lun-size 1M --max-recv-data-segment 100", "512"},
      {"probe", "URL is required"},
      {"probe http://127.0.0.1/iqn.x:y/0", "not an iscsi:// URL"},
      {"probe iscsi://127.0.0.1/iqn.x:y", "no target name or no LUN"},
      {"probe iscsi://127.0.0.1/iqn.x:y/0 --pattern-size 0", "--pattern-size"},
  };
  for (const auto& c : cases) {
    const Shell r = iscsim(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << c.args << "\n" << r.output;
  }
}

TEST(ProbeCli, UnreachableTargetIsExitOne) {
  const Shell r = iscsim("probe --timeout 2 iscsi://127.0.0.1:" + std::to_string(free_port()) + "/iqn.x:y/0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("cannot connect"), std::string::npos) << r.output;
}

TEST(ServeCli, HelpNamesEveryOption) {
  const Shell r = iscsim("serve --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--listen", "--target-name", "--lun-size", "--chap", "--max-sessions", "--login-timeout"})
    EXPECT_NE(r.output.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace iscsim::wire::testing
