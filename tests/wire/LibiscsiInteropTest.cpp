// Independent iSCSI software against `iscsim serve`: libiscsi's tools (iscsi-inq,
// iscsi-readcapacity16, iscsi-ls, iscsi-perf) and its conformance suite iscsi-test-cu on the
// families of cu-families.txt, and CHAP in both directions. Skips when libiscsi-bin is missing.
#include <gtest/gtest.h>

#include "tests/wire/CuResults.hpp"
#include "tests/wire/WireProcess.hpp"

namespace iscsim::wire::testing {
namespace {

constexpr const char* kInteropTarget = "iqn.2004-01.org.iscsim:interop";
constexpr std::chrono::seconds kToolLimit{60};
constexpr std::chrono::seconds kSuiteLimit{300};
// Fails on tgt 1.0.85 too (the reference target): after its first sub-case drops the connection,
// libiscsi logs in again with immediate data, so the second sub-case sends no Data-Out at all.
const std::set<std::string> kKnownFailures{"iSCSIdatasn.iSCSIDataSnInvalid"};

#define REQUIRE_LIBISCSI()                                                                      \
  if (!have_program("iscsi-inq") || !have_program("iscsi-test-cu"))                             \
  GTEST_SKIP() << "libiscsi's tools are not installed (Debian package libiscsi-bin; "           \
                  "scripts/install-deps.sh installs it)"

std::string q(const std::string& url) { return "'" + url + "'"; }

TEST(Libiscsi, InquiryAndReadCapacityReportTheLun) {
  REQUIRE_LIBISCSI();
  ServeProcess serve(kInteropTarget);
  ASSERT_NE(serve.port(), 0) << "iscsim serve did not start; see " << serve.log_path();
  const Shell inq = run_shell("iscsi-inq " + q(serve.url()), kToolLimit);
  EXPECT_EQ(inq.exit_code, 0) << inq.output;
  EXPECT_NE(inq.output.find("Peripheral Device Type:DIRECT_ACCESS"), std::string::npos) << inq.output;
  EXPECT_NE(inq.output.find("Vendor:ISCSIM"), std::string::npos) << inq.output;
  const Shell cap = run_shell("iscsi-readcapacity16 " + q(serve.url()), kToolLimit);
  EXPECT_EQ(cap.exit_code, 0) << cap.output;
  EXPECT_NE(cap.output.find("LOGICAL BLOCK LENGTH IN BYTES:512"), std::string::npos) << cap.output;
  EXPECT_NE(cap.output.find("Total size:67108864"), std::string::npos) << cap.output;
  EXPECT_EQ(serve.child().stop(SIGTERM, std::chrono::seconds(10)), 0);
}

TEST(Libiscsi, LsDiscoversTheTargetAndItsLun) {
  REQUIRE_LIBISCSI();
  ServeProcess serve(kInteropTarget);
  ASSERT_NE(serve.port(), 0);
  const Shell ls = run_shell("iscsi-ls -s iscsi://" + serve.portal(), kToolLimit);
  EXPECT_EQ(ls.exit_code, 0) << ls.output;
  EXPECT_NE(ls.output.find("Target:" + std::string(kInteropTarget) + " Portal:" + serve.portal()), std::string::npos)
      << ls.output;
  EXPECT_NE(ls.output.find("Lun:0    Type:DIRECT_ACCESS"), std::string::npos) << ls.output;
}

TEST(Libiscsi, PerfRunsForTwoSeconds) {
  REQUIRE_LIBISCSI();
  ServeProcess serve(kInteropTarget);
  ASSERT_NE(serve.port(), 0);
  const Shell perf = run_shell("iscsi-perf -t 2 " + q(serve.url()), kToolLimit);
  EXPECT_EQ(perf.exit_code, 0) << perf.output;
  EXPECT_NE(perf.output.find("iops average"), std::string::npos) << perf.output;
  EXPECT_TRUE(serve.child().running());
}

// Done when no test fails that passes against tgt.
TEST(Libiscsi, TestSuiteFamiliesFailNothingThatTgtPasses) {
  REQUIRE_LIBISCSI();
  const auto families = cu_families();
  ASSERT_FALSE(families.empty());
  ServeProcess serve(kInteropTarget);
  ASSERT_NE(serve.port(), 0);
  const Shell cu = run_shell("iscsi-test-cu --dataloss -t " + joined(families, ",") + " " + q(serve.url()), kSuiteLimit);
  ASSERT_NE(cu.output.find("Run Summary"), std::string::npos) << cu.output;
  for (const auto& f : cu_failures(cu.output))
    EXPECT_TRUE(kKnownFailures.count(f)) << "iscsi-test-cu: " << f << " failed\n" << cu.output;
  EXPECT_TRUE(serve.child().running()) << "iscsim serve died during the suite";
  EXPECT_EQ(serve.child().stop(SIGINT, std::chrono::seconds(10)), 0);
}

TEST(Libiscsi, ChapRightSecretWorksWrongOneIsRefusedBothDirections) {
  REQUIRE_LIBISCSI();
  ServeProcess serve(kInteropTarget, {"--chap", "alice:alice-secret-1", "--mutual-chap", "target:target-secret-2"});
  ASSERT_NE(serve.port(), 0);
  const auto inq = [&](const std::string& cred, const std::string& query) {
    return run_shell("iscsi-inq " + q(serve.url(cred, query)), kToolLimit);
  };
  EXPECT_EQ(inq("alice%alice-secret-1", "").exit_code, 0);
  EXPECT_NE(inq("alice%wrong-secret", "").exit_code, 0);
  EXPECT_NE(inq("mallory%alice-secret-1", "").exit_code, 0);
  EXPECT_NE(inq("", "").exit_code, 0);
  EXPECT_EQ(inq("alice%alice-secret-1", "?target_user=target&target_password=target-secret-2").exit_code, 0);
  // Mutual: the target answers with its own secret, which this initiator does not accept.
  const Shell bad = inq("alice%alice-secret-1", "?target_user=target&target_password=other-secret");
  EXPECT_NE(bad.exit_code, 0) << bad.output;
}

}  // namespace
}  // namespace iscsim::wire::testing
