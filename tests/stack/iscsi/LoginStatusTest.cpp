// A refused login tells the initiator what the target said: the status class and detail of
// RFC 7143 section 11.13.5 in words, with the raw value.
#include <gtest/gtest.h>

#include "tests/stack/iscsi/SessionPair.hpp"
#include "sim/stack/iscsi/Login.hpp"

namespace iscsim::stack::iscsi::testing {
namespace {

TEST(LoginStatus, NamesClassAndDetail) {
  EXPECT_EQ(login_status_text(0x02, 0x03), "initiator error: target not found (status 0x0203)");
  EXPECT_EQ(login_status_text(0x02, 0x01), "initiator error: authentication failure (status 0x0201)");
  EXPECT_EQ(login_status_text(0x03, 0x02), "target error: out of resources (status 0x0302)");
  EXPECT_EQ(login_status_text(0x01, 0x02), "redirection: target moved permanently (status 0x0102)");
  // Detail 0 of an error class is the class itself.
  EXPECT_EQ(login_status_text(0x02, 0x00), "initiator error (status 0x0200)");
  EXPECT_EQ(login_status_text(0x02, 0x7F), "initiator error: unknown detail (status 0x027F)");
  EXPECT_EQ(login_status_text(0x09, 0x00), "unknown status class: unknown detail (status 0x0900)");
}

TEST(LoginStatus, UnknownTargetNameIsReportedAsNotFound) {
  SessionPair s;
  s.init_cfg.identity.target_name = "iqn.2004-01.org.iscsim:no-such-target";
  s.connect();
  EXPECT_TRUE(s.init->login_refused());
  EXPECT_NE(s.init->failure().find("target not found (status 0x0203)"), std::string::npos) << s.init->failure();
}

TEST(LoginStatus, WrongChapSecretIsReportedAsAuthenticationFailure) {
  SessionPair s;
  s.target_cfg.identity.chap = {"alice", "secret-of-alice"};
  s.init_cfg.identity.chap = {"alice", "not-the-secret"};
  s.connect();
  EXPECT_TRUE(s.init->login_refused());
  EXPECT_NE(s.init->failure().find("initiator error: authentication failure"), std::string::npos)
      << s.init->failure();
}

}  // namespace
}  // namespace iscsim::stack::iscsi::testing
