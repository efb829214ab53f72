// `iscsim probe` exits 0 only when it verified its pattern, and a refused login says what the
// target answered.
#include <gtest/gtest.h>

#include "tests/wire/WireProcess.hpp"

namespace iscsim::wire::testing {
namespace {

constexpr std::chrono::seconds kProbeExitLimit{30};
const char* const kProbeExitTarget = "iqn.2004-01.org.iscsim:probe-exit";

Shell probe_url(const std::string& url) { return run_shell(std::string(ISCSIM_BINARY) + " probe " + url, kProbeExitLimit); }

TEST(ProbeExit, AbsentLunIsNotAPass) {
  ServeProcess serve(kProbeExitTarget);
  ASSERT_NE(serve.port(), 0) << "no \"listening on\" line; see " << serve.log_path();
  const Shell r = probe_url("iscsi://" + serve.portal() + "/" + kProbeExitTarget + "/1");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("NOT TESTED, the target has no LUN 1"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("verified"), std::string::npos) << r.output;
}

TEST(ProbeExit, PresentLunIsVerified) {
  ServeProcess serve(kProbeExitTarget);
  ASSERT_NE(serve.port(), 0) << "no \"listening on\" line; see " << serve.log_path();
  const Shell r = probe_url(serve.url());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("verified"), std::string::npos) << r.output;
}

TEST(ProbeExit, UnknownTargetNameSaysTargetNotFound) {
  ServeProcess serve(kProbeExitTarget);
  ASSERT_NE(serve.port(), 0) << "no \"listening on\" line; see " << serve.log_path();
  const Shell r = probe_url("iscsi://" + serve.portal() + "/iqn.2004-01.org.iscsim:no-such-disk/0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("login refused: initiator error: target not found (status 0x0203)"), std::string::npos)
      << r.output;
}

TEST(ProbeExit, WrongChapSecretSaysAuthenticationFailure) {
  ServeProcess serve(kProbeExitTarget, {"--chap", "alice:alice-secret"});
  ASSERT_NE(serve.port(), 0) << "no \"listening on\" line; see " << serve.log_path();
  const Shell r = probe_url(serve.url("alice%wrong-secret"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("initiator error: authentication failure (status 0x0201)"), std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace iscsim::wire::testing
