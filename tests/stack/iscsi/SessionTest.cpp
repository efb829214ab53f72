// iSCSI sessions end to end over an in-memory pipe: login with and without CHAP, negotiation
// results, reads and writes with every data-transfer mode, the command window, digests, and
// error recovery level 0 (a corrupted PDU drops the connection; nothing is lost).
#include <gtest/gtest.h>

#include "tests/stack/iscsi/SessionPair.hpp"

namespace iscsim::stack::iscsi {
namespace {

using testing::kBlock;
using testing::SessionPair;
using State = InitiatorSession::State;

TEST(Session, LoginWithoutAuthenticationReachesFullFeaturePhase) {
  SessionPair s;
  s.connect();
  EXPECT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  EXPECT_EQ(s.target->state(), TargetSession::State::FullFeature);
  EXPECT_EQ(s.init->params().initiator_max_recv_data_segment, 8192u);
  EXPECT_EQ(s.init->params().max_burst_length, 262144u);
  EXPECT_TRUE(s.init->params().initial_r2t);
  EXPECT_FALSE(s.init->params().digests.header);
  EXPECT_EQ(s.sent(Opcode::LoginRequest), 2u);  // security stage, then operational stage
}

TEST(Session, ChapWithTheRightSecretLogsIn) {
  SessionPair s;
  s.target_cfg.identity.chap = {"alice", "secret-of-alice"};
  s.init_cfg.identity.chap = {"alice", "secret-of-alice"};
  s.connect();
  EXPECT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
}

TEST(Session, ChapWithAWrongSecretIsRefused) {
  SessionPair s;
  s.target_cfg.identity.chap = {"alice", "secret-of-alice"};
  s.init_cfg.identity.chap = {"alice", "not-the-secret"};
  s.connect();
  EXPECT_EQ(s.init->state(), State::Failed);
  EXPECT_TRUE(s.init->login_refused());
  EXPECT_NE(s.init->failure().find("authentication failure"), std::string::npos) << s.init->failure();
  EXPECT_EQ(s.target->state(), TargetSession::State::Failed);
}

TEST(Session, ChapRequiredButInitiatorHasNone) {
  SessionPair s;
  s.target_cfg.identity.chap = {"alice", "secret-of-alice"};
  s.connect();
  EXPECT_EQ(s.init->state(), State::Failed);
  EXPECT_TRUE(s.init->login_refused());
}

TEST(Session, MutualChapChecksTheTargetToo) {
  for (const bool right : {true, false}) {
    SessionPair s;
    s.target_cfg.identity.chap = {"alice", "secret-of-alice"};
    s.init_cfg.identity.chap = {"alice", "secret-of-alice"};
    s.target_cfg.identity.mutual_chap = {"target", right ? "secret-of-target" : "impostor"};
    s.init_cfg.identity.mutual_chap = {"target", "secret-of-target"};
    s.connect();
    EXPECT_EQ(s.init->state(), right ? State::FullFeature : State::Failed) << s.init->failure();
  }
}

TEST(Session, UnknownTargetNameIsRefused) {
  SessionPair s;
  s.init_cfg.identity.target_name = "iqn.2004-01.org.example:nobody";
  s.connect();
  EXPECT_EQ(s.init->state(), State::Failed);
  EXPECT_TRUE(s.init->login_refused());
}

TEST(Session, NegotiationAppliesEachKeysRule) {
  SessionPair s;
  s.init_cfg.prefs.max_burst_length = 131072;    // NumericalMin
  s.target_cfg.prefs.max_burst_length = 65536;
  s.init_cfg.prefs.immediate_data = true;        // BooleanAnd
  s.target_cfg.prefs.immediate_data = false;
  s.init_cfg.prefs.initial_r2t = false;          // BooleanOr
  s.target_cfg.prefs.initial_r2t = true;
  s.init_cfg.prefs.default_time2wait = 1;        // NumericalMax
  s.target_cfg.prefs.default_time2wait = 5;
  s.init_cfg.prefs.max_recv_data_segment_length = 16384;  // Declarative, each side its own
  s.target_cfg.prefs.max_recv_data_segment_length = 4096;
  s.init_cfg.prefs.header_digest = true;         // List: CRC32C offered first and supported
  s.target_cfg.prefs.header_digest = true;
  s.connect();
  ASSERT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  for (const SessionParams& p : {s.init->params(), s.target->params()}) {
    EXPECT_EQ(p.max_burst_length, 65536u);
    EXPECT_FALSE(p.immediate_data);
    EXPECT_TRUE(p.initial_r2t);
    EXPECT_EQ(p.default_time2wait, 5u);
    EXPECT_EQ(p.initiator_max_recv_data_segment, 16384u);
    EXPECT_EQ(p.target_max_recv_data_segment, 4096u);
    EXPECT_TRUE(p.digests.header);
    EXPECT_FALSE(p.digests.data);
  }
}

TEST(Session, DigestsOfferedButNotSupportedStayOff) {
  SessionPair s;
  s.init_cfg.prefs.header_digest = true;
  s.init_cfg.prefs.data_digest = true;
  s.connect();
  ASSERT_EQ(s.init->state(), State::FullFeature);
  EXPECT_FALSE(s.init->params().digests.header);
  EXPECT_FALSE(s.init->params().digests.data);
}

TEST(Session, ReadCollapsesStatusIntoTheLastDataIn) {
  SessionPair s;
  for (std::size_t i = 0; i < s.disk.size(); ++i) s.disk[i] = static_cast<std::uint8_t>(i * 13);
  s.connect();
  s.init->submit(SessionPair::read(7, 16, 65536));
  s.pump();
  ASSERT_EQ(s.done.size(), 1u);
  EXPECT_EQ(s.done[0].tag, 7u);
  EXPECT_EQ(s.done[0].status, 0);
  ASSERT_EQ(s.done[0].data.size(), 65536u);
  EXPECT_TRUE(std::equal(s.done[0].data.begin(), s.done[0].data.end(), s.disk.begin() + 16 * kBlock));
  EXPECT_EQ(s.received(Opcode::DataIn), 8u);  // 64 KiB / MaxRecvDataSegmentLength 8 KiB
  EXPECT_EQ(s.received(Opcode::ScsiResponse), 0u);
}

TEST(Session, AReadLandsInTheBufferItWasGiven) {
  // A used buffer of stale bytes and another size: the completion carries that buffer, holding
  // exactly the data read.
  SessionPair s;
  for (std::size_t i = 0; i < s.disk.size(); ++i) s.disk[i] = static_cast<std::uint8_t>(i * 7);
  s.connect();
  ScsiRequest r = SessionPair::read(8, 32, 16384);
  r.read_buffer.assign(20000, 0xEE);
  const std::uint8_t* buffer = r.read_buffer.data();
  s.init->submit(std::move(r));
  s.pump();
  ASSERT_EQ(s.done.size(), 1u);
  EXPECT_EQ(s.done[0].data.data(), buffer);
  EXPECT_TRUE(std::equal(s.done[0].data.begin(), s.done[0].data.end(), s.disk.begin() + 32 * kBlock));
  EXPECT_EQ(s.done[0].data.size(), 16384u);
}

TEST(Session, ReadWithSeparateResponse) {
  SessionPair s;
  s.target_cfg.status_in_data_in = false;
  s.connect();
  s.init->submit(SessionPair::read(1, 0, 8192));
  s.pump();
  ASSERT_EQ(s.done.size(), 1u);
  EXPECT_EQ(s.received(Opcode::DataIn), 1u);
  EXPECT_EQ(s.received(Opcode::ScsiResponse), 1u);
}

struct WriteCase {
  const char* name;
  bool immediate;
  bool initial_r2t;
  std::uint32_t first_burst;
  std::uint32_t max_burst;
  std::uint32_t max_outstanding_r2t;
  std::uint64_t r2ts;
  std::uint64_t data_outs;
};

class WriteModes : public ::testing::TestWithParam<WriteCase> {};

TEST_P(WriteModes, EveryByteArrivesWithTheExpectedPdus) {
  const WriteCase& w = GetParam();
  SessionPair s;
  for (OperationalPrefs* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) {
    p->immediate_data = w.immediate;
    p->initial_r2t = w.initial_r2t;
    p->first_burst_length = w.first_burst;
    p->max_burst_length = w.max_burst;
    p->max_outstanding_r2t = w.max_outstanding_r2t;
  }
  s.connect();
  ASSERT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  ScsiRequest r = SessionPair::write(3, 100, 65536, 5);
  const std::vector<std::uint8_t> data = r.write_data;
  s.init->submit(std::move(r));
  s.pump();
  ASSERT_EQ(s.done.size(), 1u);
  EXPECT_EQ(s.done[0].status, 0);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), s.disk.begin() + 100 * kBlock));
  EXPECT_EQ(s.done[0].write_data, data);  // the request's buffer comes back for reuse
  EXPECT_EQ(s.init->stats().r2ts, w.r2ts);
  EXPECT_EQ(s.sent(Opcode::DataOut), w.data_outs);
  EXPECT_EQ(s.received(Opcode::ScsiResponse), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Session, WriteModes,
    ::testing::Values(
        // Defaults: 8 KiB immediate, one R2T for the other 56 KiB, sent as 7 Data-Outs.
        WriteCase{"defaults", true, true, 65536, 262144, 1, 1, 7},
        // No immediate data: one R2T for all 64 KiB.
        WriteCase{"r2t_only", false, true, 65536, 262144, 1, 1, 8},
        // Unsolicited Data-Out up to FirstBurstLength, R2T for the rest.
        WriteCase{"unsolicited", true, false, 16384, 262144, 1, 1, 7},
        WriteCase{"unsolicited_no_immediate", false, false, 16384, 262144, 1, 1, 8},
        // Whole write unsolicited: no R2T at all.
        WriteCase{"all_unsolicited", true, false, 65536, 262144, 1, 0, 7},
        // Bursts of 16 KiB, two R2Ts outstanding at once.
        WriteCase{"bursts", true, true, 65536, 16384, 2, 4, 7}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Session, CommandWindowLimitsWhatIsInFlight) {
  SessionPair s;
  s.target_cfg.command_window = 4;
  s.connect();
  for (std::uint64_t i = 0; i < 40; ++i) s.init->submit(SessionPair::read(i, i * 16, 8192));
  EXPECT_LE(s.init->outstanding() - 36, 4u);
  s.pump();
  ASSERT_EQ(s.done.size(), 40u);
  EXPECT_LE(s.max_in_flight, 4u);
  for (std::uint64_t i = 0; i < 40; ++i) EXPECT_EQ(s.done[i].tag, i);
}

// The paper's targets took one command at a time: the next write's R2T, and the next read's
// data, wait until the command before it has ended.
TEST(Session, ATargetWorkingOnOneCommandAtATimeTakesThemInOrder) {
  SessionPair s;
  s.target_cfg.commands_at_once = 1;
  s.connect();
  const auto to_target = [&s] {
    SessionPair::move(s.init->output(), [&s](const std::uint8_t* p, std::size_t n) { s.target->on_bytes(p, n); });
  };
  const auto to_initiator = [&s] {
    SessionPair::move(s.target->output(), [&s](const std::uint8_t* p, std::size_t n) { s.init->on_bytes(p, n); });
  };
  for (std::uint64_t i = 0; i < 3; ++i) s.init->submit(SessionPair::write(i, i * 128, 65536, 1));
  to_target();
  to_initiator();
  EXPECT_EQ(s.received(Opcode::R2t), 1u);  // all three commands are in, one is begun
  for (std::uint64_t i = 0; i < 3; ++i) {
    to_target();  // the begun command's Data-Out
    auto ready = s.target->take_commands();
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(s.target->take_commands().size(), 0u);
    to_initiator();
    EXPECT_EQ(s.received(Opcode::R2t), i + 1);  // no R2T for the next before this one ends
    s.execute(ready[0]);
    to_initiator();
  }
  EXPECT_EQ(s.init->take_completions().size(), 3u);

  for (std::uint64_t i = 0; i < 3; ++i) s.init->submit(SessionPair::read(10 + i, i * 128, 65536));
  to_target();
  for (std::uint64_t i = 0; i < 3; ++i) {
    auto ready = s.target->take_commands();
    ASSERT_EQ(ready.size(), 1u);
    EXPECT_EQ(ready[0].expected_length, 65536u);
    s.execute(ready[0]);
  }
  to_initiator();
  const auto reads = s.init->take_completions();
  ASSERT_EQ(reads.size(), 3u);
  for (std::uint64_t i = 0; i < 3; ++i) EXPECT_EQ(reads[i].tag, 10 + i);
}

// Found by fuzzing: the end of the command before it must not begin a command that waited
// behind it once the session has logged out.
TEST(Session, ATargetThatHasLoggedOutBeginsNoWaitingCommand) {
  SessionPair s;
  s.target_cfg.commands_at_once = 1;
  s.connect();
  for (std::uint64_t i = 0; i < 2; ++i) s.init->submit(SessionPair::read(i, i * 128, 4096));
  s.init->logout();
  SessionPair::move(s.init->output(), [&s](const std::uint8_t* p, std::size_t n) { s.target->on_bytes(p, n); });
  ASSERT_EQ(s.target->state(), TargetSession::State::LoggedOut);
  auto ready = s.target->take_commands();
  ASSERT_EQ(ready.size(), 1u);  // the first was begun before the logout arrived
  s.execute(ready[0]);
  EXPECT_EQ(s.target->take_commands().size(), 0u);
}

// A target's login PDU may carry no more than the default MaxRecvDataSegmentLength (8192): one
// announcing more fails the connection before its data arrive, nothing set aside for them.
TEST(Session, AnInitiatorRefusesALoginResponseLongerThanTheLoginDefault) {
  InitiatorConfig cfg;
  cfg.identity.target_name = TargetIdentity{}.target_name;
  InitiatorSession init(cfg);
  init.connect();
  std::vector<std::uint8_t> bhs(48, 0);
  bhs[0] = static_cast<std::uint8_t>(Opcode::LoginResponse);
  const std::uint32_t announced = 8193;
  bhs[5] = static_cast<std::uint8_t>(announced >> 16);
  bhs[6] = static_cast<std::uint8_t>(announced >> 8);
  bhs[7] = static_cast<std::uint8_t>(announced);
  init.on_bytes(bhs.data(), bhs.size());
  EXPECT_EQ(init.state(), InitiatorSession::State::Failed);
  EXPECT_NE(init.failure().find("MaxRecvDataSegmentLength"), std::string::npos) << init.failure();
}

TEST(Session, DigestsOnCarryData) {
  SessionPair s;
  for (OperationalPrefs* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) p->header_digest = p->data_digest = true;
  s.connect();
  ASSERT_TRUE(s.init->params().digests.data);
  s.init->submit(SessionPair::write(1, 0, 65536, 9));
  s.pump();
  s.init->submit(SessionPair::read(2, 0, 65536));
  s.pump();
  ASSERT_EQ(s.done.size(), 2u);
  EXPECT_EQ(s.done[1].data, SessionPair::write(0, 0, 65536, 9).write_data);
}

TEST(Session, CorruptedPduDropsTheConnectionAndRecoveryLosesNothing) {
  SessionPair s;
  for (OperationalPrefs* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) p->header_digest = p->data_digest = true;
  s.connect();
  // Corrupt one byte of the first write's data on its way to the target.
  bool corrupted = false;
  s.to_target_filter = [&corrupted](std::vector<std::uint8_t>& chunk) {
    if (!corrupted && chunk.size() > 600) {
      chunk[500] ^= 0x40;
      corrupted = true;
    }
  };
  for (std::uint64_t i = 0; i < 6; ++i) s.init->submit(SessionPair::write(i, i * 128, 65536, static_cast<std::uint8_t>(i)));
  s.pump();
  EXPECT_EQ(s.target->state(), TargetSession::State::Failed);
  EXPECT_NE(s.target->failure().find("digest"), std::string::npos) << s.target->failure();
  // The transport is dropped; the initiator learns of it and reconnects.
  s.init->connection_lost("connection reset");
  EXPECT_FALSE(s.init->login_refused());
  s.connect();
  ASSERT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  EXPECT_EQ(s.done.size() + s.init->outstanding(), 6u);
  s.pump();
  ASSERT_EQ(s.done.size(), 6u);
  std::vector<bool> seen(6, false);
  for (const auto& c : s.done) {
    EXPECT_FALSE(seen[c.tag]) << "completed twice: " << c.tag;
    seen[c.tag] = true;
    const auto want = SessionPair::write(0, 0, 65536, static_cast<std::uint8_t>(c.tag)).write_data;
    EXPECT_TRUE(std::equal(want.begin(), want.end(), s.disk.begin() + c.tag * 128 * kBlock)) << c.tag;
  }
  EXPECT_GT(s.init->stats().reissued, 0u);
  EXPECT_EQ(s.init->stats().logins, 2u);
}

TEST(Session, LogoutEndsBothSides) {
  SessionPair s;
  s.connect();
  s.init->logout();
  s.pump();
  EXPECT_EQ(s.init->state(), State::LoggedOut);
  EXPECT_EQ(s.target->state(), TargetSession::State::LoggedOut);
}

TEST(Session, TargetRejectsAnOpcodeItDoesNotServe) {
  SessionPair s;
  s.connect();
  Pdu snack;
  snack.bhs.set_opcode(Opcode::Snack);
  snack.bhs.set_final(true);
  std::vector<std::uint8_t> bytes;
  encode_pdu(snack, {}, bytes);
  s.target->on_bytes(bytes.data(), bytes.size());
  EXPECT_EQ(s.target->stats().rejects, 1u);
  EXPECT_EQ(s.target->state(), TargetSession::State::FullFeature);
  // The initiator treats a Reject at ERL 0 as fatal to the connection.
  s.pump();
  EXPECT_EQ(s.init->state(), State::Failed);
}

TEST(Session, TargetRefusesATransferLargerThanItAccepts) {
  SessionPair s;
  s.target_cfg.max_transfer_bytes = 65536;
  s.connect();
  s.init->submit(SessionPair::write(1, 0, 131072, 1));
  s.pump();
  EXPECT_EQ(s.target->stats().rejects, 1u);
  EXPECT_EQ(s.target->stats().commands, 0u);
  EXPECT_EQ(s.init->state(), State::Failed);  // a Reject ends the connection at ERL 0
}

TEST(Session, DiscoverySessionAnswersSendTargets) {
  SessionPair s;
  s.init_cfg.identity.target_name.clear();
  s.target_cfg.identity.target_address = "10.0.0.2:3260,1";
  s.connect();
  ASSERT_EQ(s.init->state(), State::FullFeature) << s.init->failure();
  EXPECT_TRUE(s.target->discovery());
}

}  // namespace
}  // namespace iscsim::stack::iscsi
