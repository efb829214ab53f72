// The simulator's initiator (`iscsim probe`) against Debian's tgt: tgtd on loopback with a
// RAM-backed LUN 1, without CHAP, with CHAP and with mutual CHAP. Skips when tgt is missing.
#include <gtest/gtest.h>

#include "tests/wire/WireProcess.hpp"

namespace iscsim::wire::testing {
namespace {

constexpr std::chrono::seconds kProbeLimit{60};

Shell tgt_probe(const std::string& url) {
  return run_shell(std::string(ISCSIM_BINARY) + " probe '" + url + "'", kProbeLimit);
}

#define REQUIRE_TGT(tgt) \
  if (!(tgt).ready()) GTEST_SKIP() << (tgt).why_not()

TEST(Tgt, ProbeVerifiesItsPattern) {
  TgtDaemon tgt;
  REQUIRE_TGT(tgt);
  ASSERT_TRUE(tgt.add_target(1, "iqn.2004-01.org.tgt:plain"));
  const Shell disk = tgt_probe(tgt.url("iqn.2004-01.org.tgt:plain", 1));
  EXPECT_EQ(disk.exit_code, 0) << disk.output;
  EXPECT_NE(disk.output.find("vendor \"IET\""), std::string::npos) << disk.output;
  EXPECT_NE(disk.output.find("written and read back: verified"), std::string::npos) << disk.output;
  // LUN 0 is tgt's controller: identified, not written, so no pass.
  const Shell controller = tgt_probe(tgt.url("iqn.2004-01.org.tgt:plain", 0));
  EXPECT_EQ(controller.exit_code, 1) << controller.output;
  EXPECT_NE(controller.output.find("NOT TESTED, not a block device"), std::string::npos) << controller.output;
  const Shell unknown = tgt_probe(tgt.url("iqn.2004-01.org.tgt:absent", 1));
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("target not found"), std::string::npos) << unknown.output;
}

TEST(Tgt, ChapRightSecretWorksWrongOneIsRefused) {
  TgtDaemon tgt;
  REQUIRE_TGT(tgt);
  const std::string iqn = "iqn.2004-01.org.tgt:chap";
  ASSERT_TRUE(tgt.add_target(1, iqn, "alice:alice-secret-1"));
  const Shell right = tgt_probe(tgt.url(iqn, 1, "alice%alice-secret-1"));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("verified"), std::string::npos) << right.output;
  const Shell wrong = tgt_probe(tgt.url(iqn, 1, "alice%wrong-secret"));
  EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
  EXPECT_NE(wrong.output.find("authentication failure"), std::string::npos) << wrong.output;
  EXPECT_EQ(tgt_probe(tgt.url(iqn, 1)).exit_code, 1);
}

TEST(Tgt, MutualChapChecksTheTargetToo) {
  TgtDaemon tgt;
  REQUIRE_TGT(tgt);
  const std::string iqn = "iqn.2004-01.org.tgt:mutual";
  ASSERT_TRUE(tgt.add_target(1, iqn, "alice:alice-secret-1", "tgt-self:target-secret-2"));
  const Shell right = tgt_probe(tgt.url(iqn, 1, "alice%alice-secret-1", "?target_user=tgt-self&target_password=target-secret-2"));
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("authentication mutual CHAP"), std::string::npos) << right.output;
  const Shell impostor =
      tgt_probe(tgt.url(iqn, 1, "alice%alice-secret-1", "?target_user=tgt-self&target_password=not-its-secret"));
  EXPECT_EQ(impostor.exit_code, 1) << impostor.output;
  EXPECT_NE(impostor.output.find("mutual CHAP"), std::string::npos) << impostor.output;
}

}  // namespace
}  // namespace iscsim::wire::testing
