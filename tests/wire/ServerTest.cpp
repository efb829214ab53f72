// The wire-mode target and initiator in one process over real loopback sockets: login with and
// without CHAP, the probe's pattern, concurrent sessions on one RAM disk, the session limit,
// the login timeout, and stopping.
#include <gtest/gtest.h>

#include <thread>

#include <sys/socket.h>
#include <unistd.h>

#include "sim/stack/scsi/Cdb.hpp"
#include "sim/wire/InitiatorClient.hpp"
#include "sim/wire/Probe.hpp"
#include "sim/wire/TargetServer.hpp"

namespace iscsim::wire {
namespace {

namespace iscsi = stack::iscsi;
constexpr const char* kTarget = "iqn.2004-01.org.iscsim:wire-test";
constexpr std::uint64_t kLunBytes = 4 << 20;
constexpr std::chrono::milliseconds kTimeout{5000};

// A TargetServer serving on its own thread until the test ends.
class RunningServer {
 public:
  explicit RunningServer(ServerConfig cfg = {}) : server_(with_defaults(std::move(cfg))), thread_([this] { server_.run(); }) {}
  ~RunningServer() {
    server_.request_stop();
    thread_.join();
  }
  TargetServer& server() { return server_; }
  IscsiUrl url() const {
    IscsiUrl u;
    u.portal = HostPort{"127.0.0.1", server_.port()};
    u.target_name = kTarget;
    return u;
  }

 private:
  static ServerConfig with_defaults(ServerConfig cfg) {
    cfg.listen = HostPort{"127.0.0.1", 0};
    cfg.identity.target_name = kTarget;
    if (cfg.lun_bytes == 0) cfg.lun_bytes = kLunBytes;
    cfg.prefs.max_recv_data_segment_length = kDefaultMaxRecvDataSegment;
    return cfg;
  }
  TargetServer server_;
  std::thread thread_;
};

iscsi::InitiatorConfig initiator(const iscsi::ChapCredential& chap = {}, const iscsi::ChapCredential& mutual = {}) {
  iscsi::InitiatorConfig c;
  c.identity.target_name = kTarget;
  c.identity.chap = chap;
  c.identity.mutual_chap = mutual;
  return c;
}

iscsi::ScsiRequest write_request(std::uint64_t lba, std::vector<std::uint8_t> data) {
  iscsi::ScsiRequest r;
  r.cdb = stack::scsi::write_cdb(lba, static_cast<std::uint32_t>(data.size() / 512), false);
  r.direction = iscsi::DataDirection::Write;
  r.transfer_length = static_cast<std::uint32_t>(data.size());
  r.write_data = std::move(data);
  return r;
}

iscsi::ScsiRequest read_request(std::uint64_t lba, std::uint32_t bytes) {
  iscsi::ScsiRequest r;
  r.cdb = stack::scsi::read_cdb(lba, bytes / 512, false);
  r.direction = iscsi::DataDirection::Read;
  r.transfer_length = bytes;
  return r;
}

TEST(WireServer, ProbeVerifiesItsPattern) {
  RunningServer s;
  ProbeOptions o;
  o.timeout = kTimeout;
  const ProbeReport r = run_probe(s.url(), o);
  EXPECT_EQ(r.vendor, "ISCSIM");
  EXPECT_EQ(r.blocks * r.block_bytes, kLunBytes);
  EXPECT_TRUE(r.pattern_verified) << r.mismatch;
  EXPECT_TRUE(r.restored);
  EXPECT_TRUE(r.logged_out);
}

TEST(WireServer, ChapRightSecretLogsInWrongOneIsRefused) {
  ServerConfig cfg;
  cfg.identity.chap = {"alice", "alice-secret-1"};
  cfg.identity.mutual_chap = {"target", "target-secret-2"};
  RunningServer s(cfg);
  const HostPort at = s.url().portal;
  InitiatorClient right(at, initiator({"alice", "alice-secret-1"}), kTimeout);
  EXPECT_NO_THROW(right.login());
  InitiatorClient wrong(at, initiator({"alice", "not-the-secret"}), kTimeout);
  EXPECT_THROW(wrong.login(), LoginRefused);
  InitiatorClient none(at, initiator(), kTimeout);
  EXPECT_THROW(none.login(), LoginRefused);
  InitiatorClient mutual(at, initiator({"alice", "alice-secret-1"}, {"target", "target-secret-2"}), kTimeout);
  EXPECT_NO_THROW(mutual.login());
  // The target does not know the secret we expect from it: we refuse it.
  InitiatorClient impostor(at, initiator({"alice", "alice-secret-1"}, {"target", "another-secret"}), kTimeout);
  EXPECT_THROW(impostor.login(), WireError);
}

TEST(WireServer, ConcurrentSessionsShareTheRamDisk) {
  RunningServer s;
  constexpr int kSessions = 4;
  std::vector<std::unique_ptr<InitiatorClient>> clients;
  for (int i = 0; i < kSessions; ++i) {
    clients.push_back(std::make_unique<InitiatorClient>(s.url().portal, initiator(), kTimeout));
    clients.back()->login();
  }
  EXPECT_EQ(s.server().sessions_served(), static_cast<std::uint64_t>(kSessions));
  for (int i = 0; i < kSessions; ++i) {
    std::vector<std::uint8_t> block(4096, static_cast<std::uint8_t>(0x10 + i));
    EXPECT_EQ(clients[i]->execute(write_request(8 * i, block)).status, 0);
  }
  // Each session reads what the next one wrote.
  for (int i = 0; i < kSessions; ++i) {
    const int other = (i + 1) % kSessions;
    const auto c = clients[i]->execute(read_request(8 * other, 4096));
    ASSERT_EQ(c.data.size(), 4096u);
    EXPECT_EQ(c.data[4095], 0x10 + other);
  }
  for (auto& c : clients) c->logout();
}

TEST(WireServer, SessionsBeyondTheLimitAreRefused) {
  ServerConfig cfg;
  cfg.max_sessions = 2;
  RunningServer s(cfg);
  InitiatorClient a(s.url().portal, initiator(), kTimeout);
  InitiatorClient b(s.url().portal, initiator(), kTimeout);
  a.login();
  b.login();
  InitiatorClient c(s.url().portal, initiator(), kTimeout);
  EXPECT_THROW(c.login(), LoginRefused);
  a.logout();
  // A slot freed by a logout is served again (the server notices the close first).
  for (int tries = 0; tries < 50; ++tries) {
    InitiatorClient d(s.url().portal, initiator(), kTimeout);
    try {
      d.login();
      SUCCEED();
      return;
    } catch (const LoginRefused&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  FAIL() << "a freed session slot was never served again";
}

TEST(WireServer, IdleLoginTimesOut) {
  ServerConfig cfg;
  cfg.login_timeout = std::chrono::milliseconds(200);
  RunningServer s(cfg);
  UniqueFd fd = connect_tcp(s.url().portal, kTimeout);
  char byte = 0;
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(::recv(fd.get(), &byte, 1, 0), 0);  // closed by the server, not timed out here
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  // A logged-in session is not subject to it.
  InitiatorClient c(s.url().portal, initiator(), kTimeout);
  c.login();
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  EXPECT_EQ(c.execute(read_request(0, 512)).status, 0);
}

TEST(WireServer, StopClosesEveryConnection) {
  auto s = std::make_unique<RunningServer>();
  InitiatorClient c(s->url().portal, initiator(), kTimeout);
  c.login();
  s.reset();  // request_stop(), then run() returns
  EXPECT_THROW(c.execute(read_request(0, 512)), WireError);
}

}  // namespace
}  // namespace iscsim::wire
