// Target-session behaviours that wire-mode interop with independent initiators (libiscsi's
// iscsi-test-cu) revealed, each pinned here over the in-memory session pair.
#include <gtest/gtest.h>

#include "sim/stack/iscsi/TextKeys.hpp"
#include "tests/stack/iscsi/SessionPair.hpp"

namespace iscsim::stack::iscsi {
namespace {

using testing::kBlock;
using testing::SessionPair;
using State = InitiatorSession::State;

void feed(TargetSession& t, const Pdu& p) {
  std::vector<std::uint8_t> bytes;
  encode_pdu(p, DigestSettings{}, bytes);
  t.on_bytes(bytes.data(), bytes.size());
}

std::vector<Pdu> drain(TargetSession& t) {
  PduDecoder from_target;
  while (!t.output().empty()) {
    from_target.feed(t.output().front(), t.output().front_size());
    t.output().consume(t.output().front_size());
  }
  std::vector<Pdu> out;
  while (auto p = from_target.next()) out.push_back(std::move(*p));
  return out;
}

// A write whose Expected Data Transfer Length differs from its CDB's transfer length: the
// response carries the residual (RFC 7143 11.4.5.2), as iSCSI.iSCSIResiduals.Write10Residuals
// checks.
ScsiCompletion write_with_edtl(std::uint32_t cdb_blocks, std::uint32_t edtl) {
  SessionPair s;
  s.connect();
  ScsiRequest w = SessionPair::write(1, 0, edtl, 7);
  w.cdb = scsi::write_cdb(0, cdb_blocks, false);
  s.init->submit(std::move(w));
  s.pump();
  EXPECT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  EXPECT_EQ(s.done.size(), 1u);
  return s.done.empty() ? ScsiCompletion{} : s.done.front();
}

TEST(TargetInterop, WriteWithMoreDataThanItsCdbReportsUnderflow) {
  const ScsiCompletion c = write_with_edtl(1, 3 * kBlock);
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.residual_flags, scsi_rsp::kUnderflow);
  EXPECT_EQ(c.residual, 2 * kBlock);
}

TEST(TargetInterop, WriteWithLessDataThanItsCdbReportsOverflow) {
  const ScsiCompletion c = write_with_edtl(2, kBlock);
  EXPECT_EQ(c.status, 0);
  EXPECT_EQ(c.residual_flags, scsi_rsp::kOverflow);
  EXPECT_EQ(c.residual, kBlock);
}

TEST(TargetInterop, WriteWithMatchingLengthsHasNoResidual) {
  const ScsiCompletion c = write_with_edtl(4, 4 * kBlock);
  EXPECT_EQ(c.residual_flags, 0);
  EXPECT_EQ(c.residual, 0u);
}

// A Data-Out whose DataSN is not the next of its sequence fails the connection at error
// recovery level 0 (iSCSI.iSCSIdatasn.iSCSIDataSnInvalid sends 0,0 and 1,0 and 27).
class DataSnOrder : public ::testing::TestWithParam<std::vector<std::uint32_t>> {};

TEST_P(DataSnOrder, OutOfOrderDataSnFailsTheConnection) {
  SessionPair s;
  s.init_cfg.prefs.immediate_data = false;
  s.connect();
  ASSERT_EQ(s.target->state(), TargetSession::State::FullFeature);
  ScsiCommandFields f;
  f.itt = 0x100;
  f.expected_length = 2 * kBlock;
  f.cmd_sn = 1;
  f.direction = DataDirection::Write;
  f.cdb = scsi::write_cdb(0, 2, false);
  feed(*s.target, scsi_command(f, nullptr, 0));
  const auto out = drain(*s.target);
  ASSERT_EQ(out.size(), 1u);
  const Pdu* r2t = &out.front();
  ASSERT_EQ(r2t->bhs.opcode(), Opcode::R2t);
  const std::vector<std::uint32_t>& order = GetParam();
  const std::vector<std::uint8_t> block(kBlock, 0x5A);
  for (std::size_t i = 0; i < order.size(); ++i) {
    DataFields d;
    d.itt = f.itt;
    d.ttt = r2t->bhs.u32(bhs::kTtt);
    d.data_sn = order[i];
    d.offset = static_cast<std::uint32_t>(i * kBlock);
    d.final = i + 1 == order.size();
    feed(*s.target, data_out_pdu(d, 0, block.data(), block.size()));
  }
  const bool in_order = order == std::vector<std::uint32_t>{0, 1};
  EXPECT_EQ(s.target->state(), in_order ? TargetSession::State::FullFeature : TargetSession::State::Failed);
  EXPECT_EQ(s.target->take_commands().size(), in_order ? 1u : 0u);
}

INSTANTIATE_TEST_SUITE_P(Orders, DataSnOrder,
                         ::testing::Values(std::vector<std::uint32_t>{0, 1}, std::vector<std::uint32_t>{0, 0},
                                           std::vector<std::uint32_t>{1, 0}, std::vector<std::uint32_t>{27, 1},
                                           std::vector<std::uint32_t>{0xFFFFFFFF, 0}));

// ABORT TASK for a task the target no longer holds: "Task does not exist" when the command was
// received (and so has completed), "Function complete" when it has not arrived yet (RFC 7143
// section 11.5.1). iSCSI.iSCSITMF.AbortTaskSimpleAsync counts on the first.
TEST(TargetInterop, AbortTaskOfACompletedCommandSaysTaskDoesNotExist) {
  SessionPair s;
  s.connect();
  ScsiCommandFields f;
  f.itt = 0x200;
  f.cmd_sn = 1;
  f.cdb = scsi::simple_cdb(0x00);  // TEST UNIT READY
  feed(*s.target, scsi_command(f, nullptr, 0));
  for (auto& c : s.target->take_commands()) s.target->complete(c.id, CommandResult{});
  drain(*s.target);
  const auto abort_response = [&](std::uint32_t ref_cmd_sn) {
    Pdu tmf = task_mgmt_request(0x300, task_mgmt::kAbortTask, 0, f.itt, 2, 2);
    tmf.bhs.set_u32(task_mgmt::kRefCmdSn, ref_cmd_sn);
    feed(*s.target, tmf);
    const auto out = drain(*s.target);
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? 0xFF : out.front().bhs.u8(task_mgmt::kResponse);
  };
  EXPECT_EQ(abort_response(1), task_mgmt::kTaskDoesNotExist);
  EXPECT_EQ(abort_response(2), task_mgmt::kComplete);
}

// An initiator without credentials that starts in the operational stage, as libiscsi does, is
// told "authentication failure" by a target that requires CHAP, not "invalid during login".
TEST(TargetInterop, SkippingTheSecurityStageOfAChapTargetIsAnAuthenticationFailure) {
  TargetConfig cfg;
  cfg.identity.chap = {"alice", "secret-of-alice"};
  TargetSession target(cfg);
  Pdu login;
  login.bhs.set_opcode(Opcode::LoginRequest, true);
  set_login_stages(login.bhs, LoginStages{true, false, Stage::Operational, Stage::FullFeature});
  login.data = encode_text({{"InitiatorName", "iqn.2007-10.com.github:sahlberg:libiscsi"},
                            {"TargetName", cfg.identity.target_name},
                            {"SessionType", "Normal"}});
  feed(target, login);
  const auto out = drain(target);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.front().bhs.u8(login::kStatusClass), login::kInitiatorError);
  EXPECT_EQ(out.front().bhs.u8(login::kStatusDetail), login::kAuthenticationFailure);
  EXPECT_EQ(target.state(), TargetSession::State::Failed);
}

}  // namespace
}  // namespace iscsim::stack::iscsi
