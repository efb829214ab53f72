// Table-driven: every negotiation key's rule (RFC 7143 section 13), from the responder's side
// and back at the originator.
#include <gtest/gtest.h>

#include "sim/stack/iscsi/KeyRules.hpp"

namespace iscsim::stack::iscsi {
namespace {

struct Case {
  std::string key;
  std::string offered;
  std::string ours;
  std::string answer;  // "Reject" for a rejected offer
};

class Negotiation : public ::testing::TestWithParam<Case> {};

TEST_P(Negotiation, ResponderAnswersByTheKeysRule) {
  const Case& c = GetParam();
  const KeyRule* rule = find_key_rule(c.key);
  ASSERT_NE(rule, nullptr) << c.key;
  const KeyAnswer a = answer_offer(*rule, c.offered, c.ours);
  EXPECT_EQ(a.value, c.answer) << c.key << "=" << c.offered << " against " << c.ours;
  EXPECT_EQ(a.rejected, c.answer == "Reject");
  if (!a.rejected && rule->kind != KeyKind::Declarative) {
    // The originator accepts a legal answer and ends with the same result.
    const auto accepted = accept_answer(*rule, c.offered, a.value);
    ASSERT_TRUE(accepted) << c.key;
    EXPECT_EQ(*accepted, a.result);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryKey, Negotiation,
    ::testing::Values(
        // List: the first offered value we support, in the offer's order.
        Case{"HeaderDigest", "CRC32C,None", "None,CRC32C", "CRC32C"}, Case{"HeaderDigest", "None", "CRC32C,None", "None"},
        Case{"HeaderDigest", "CRC32C", "None", "Reject"}, Case{"DataDigest", "None,CRC32C", "CRC32C,None", "None"},
        Case{"AuthMethod", "CHAP,None", "None", "None"}, Case{"AuthMethod", "CHAP,None", "CHAP,None", "CHAP"},
        Case{"TaskReporting", "FastAbort,RFC3720", "RFC3720", "RFC3720"},
        // NumericalMin: the smaller.
        Case{"MaxConnections", "4", "1", "1"}, Case{"MaxConnections", "0", "1", "Reject"},
        Case{"MaxBurstLength", "262144", "1048576", "262144"}, Case{"MaxBurstLength", "511", "262144", "Reject"},
        Case{"FirstBurstLength", "65536", "16384", "16384"}, Case{"DefaultTime2Retain", "0", "20", "0"},
        Case{"MaxOutstandingR2T", "8", "1", "1"}, Case{"ErrorRecoveryLevel", "2", "0", "0"},
        Case{"ErrorRecoveryLevel", "3", "0", "Reject"}, Case{"iSCSIProtocolLevel", "1", "1", "1"},
        Case{"MaxBurstLength", "abc", "262144", "Reject"},
        // NumericalMax: the larger.
        Case{"DefaultTime2Wait", "2", "5", "5"}, Case{"DefaultTime2Wait", "3601", "2", "Reject"},
        // Boolean AND / OR.
        Case{"ImmediateData", "Yes", "Yes", "Yes"}, Case{"ImmediateData", "Yes", "No", "No"},
        Case{"ImmediateData", "No", "Yes", "No"}, Case{"InitialR2T", "No", "No", "No"},
        Case{"InitialR2T", "No", "Yes", "Yes"}, Case{"InitialR2T", "Yes", "No", "Yes"},
        Case{"DataPDUInOrder", "Yes", "Yes", "Yes"}, Case{"DataSequenceInOrder", "No", "Yes", "Yes"},
        Case{"OFMarker", "Yes", "No", "No"}, Case{"IFMarker", "No", "No", "No"}, Case{"ImmediateData", "Maybe", "Yes", "Reject"},
        // Declarative: each side states its own.
        Case{"MaxRecvDataSegmentLength", "8192", "262144", "262144"},
        Case{"MaxRecvDataSegmentLength", "100", "262144", "Reject"},
        Case{"TargetAlias", "disk", "ramdisk", "ramdisk"}, Case{"SessionType", "Normal", "Normal", "Normal"}));

TEST(Negotiation, IllegalAnswersAreCaughtByTheOriginator) {
  EXPECT_FALSE(accept_answer(*find_key_rule("MaxBurstLength"), "65536", "262144"));  // min cannot grow
  EXPECT_FALSE(accept_answer(*find_key_rule("DefaultTime2Wait"), "5", "2"));          // max cannot shrink
  EXPECT_FALSE(accept_answer(*find_key_rule("HeaderDigest"), "None", "CRC32C"));      // not offered
  EXPECT_FALSE(accept_answer(*find_key_rule("ImmediateData"), "No", "Yes"));          // AND cannot turn Yes
  EXPECT_FALSE(accept_answer(*find_key_rule("InitialR2T"), "Yes", "No"));             // OR cannot turn No
  EXPECT_EQ(*accept_answer(*find_key_rule("FirstBurstLength"), "65536", "Irrelevant"), "65536");
  EXPECT_EQ(*accept_answer(*find_key_rule("ImmediateData"), "Yes", "Irrelevant"), "Yes");
}

TEST(Negotiation, UnknownKeysAreNotUnderstoodAndDefaultsFollowTheRfc) {
  EXPECT_EQ(find_key_rule("X-com.example.Thing"), nullptr);
  EXPECT_EQ(find_key_rule("MaxRecvDataSegmentLength")->default_value, "8192");
  EXPECT_EQ(find_key_rule("MaxBurstLength")->default_value, "262144");
  EXPECT_EQ(find_key_rule("FirstBurstLength")->default_value, "65536");
  EXPECT_EQ(find_key_rule("InitialR2T")->default_value, "Yes");
  EXPECT_EQ(find_key_rule("ImmediateData")->default_value, "Yes");
  EXPECT_EQ(find_key_rule("DefaultTime2Wait")->default_value, "2");
  EXPECT_EQ(find_key_rule("DefaultTime2Retain")->default_value, "20");
  EXPECT_EQ(find_key_rule("MaxOutstandingR2T")->default_value, "1");
  EXPECT_EQ(find_key_rule("ErrorRecoveryLevel")->default_value, "0");
}

}  // namespace
}  // namespace iscsim::stack::iscsi
