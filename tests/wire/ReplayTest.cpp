// Robustness of `iscsim serve` on a real socket: the fuzz corpus (tests/fuzz/corpus/*) and
// hand-made malformed PDUs, each on its own connection, before and after login, while another
// session stays logged in. None may crash the server or disturb that session, and the server
// must serve the next client afterwards.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <sys/socket.h>

#include "sim/stack/iscsi/LoginInitiator.hpp"
#include "sim/stack/iscsi/PduBuilders.hpp"
#include "sim/stack/scsi/Cdb.hpp"
#include "sim/wire/InitiatorClient.hpp"
#include "tests/wire/WireProcess.hpp"

namespace iscsim::wire::testing {
namespace {

namespace iscsi = stack::iscsi;
using Bytes = std::vector<std::uint8_t>;

// The target name the target_session corpus logs in to.
constexpr const char* kReplayTarget = "iqn.2004-01.org.iscsim:ramdisk";
constexpr std::chrono::milliseconds kReplayTimeout{5000};
constexpr timeval kReceiveLimit{3, 0};  // how long a replay waits for the server's answer

void send_all(int fd, const Bytes& b) {
  for (std::size_t at = 0; at < b.size();) {
    const ssize_t n = ::send(fd, b.data() + at, b.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close on us mid-way: that is its right
    at += static_cast<std::size_t>(n);
  }
}

Bytes encoded(const iscsi::Pdu& p) {
  Bytes b;
  iscsi::encode_pdu(p, iscsi::DigestSettings{}, b);
  return b;
}

// Sends `bytes`, half-closes, and reads whatever comes back until the server closes.
void replay(int fd, const Bytes& bytes) {
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kReceiveLimit, sizeof kReceiveLimit);
  send_all(fd, bytes);
  ::shutdown(fd, SHUT_WR);
  char buf[4096];
  while (::recv(fd, buf, sizeof buf, 0) > 0) {
  }
}

// A connection that has logged in with the simulator's login code, PDU by PDU.
UniqueFd logged_in(const HostPort& at) {
  UniqueFd fd = connect_tcp(at, kReplayTimeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &kReceiveLimit, sizeof kReceiveLimit);
  iscsi::InitiatorIdentity id;
  id.target_name = kReplayTarget;
  iscsi::OperationalPrefs prefs;
  iscsi::LoginInitiator login(id, prefs, 1, 1, 0);
  send_all(fd.get(), encoded(login.start()));
  iscsi::PduDecoder from_target;
  char buf[4096];
  while (login.outcome() == iscsi::LoginOutcome::InProgress) {
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n <= 0) break;
    from_target.feed(reinterpret_cast<std::uint8_t*>(buf), static_cast<std::size_t>(n));
    while (auto p = from_target.next())
      if (auto next = login.on_response(*p)) send_all(fd.get(), encoded(*next));
  }
  EXPECT_EQ(login.outcome(), iscsi::LoginOutcome::Succeeded) << login.error();
  return fd;
}

iscsi::Pdu command(std::uint32_t itt, std::uint32_t edtl, const std::array<std::uint8_t, 16>& cdb,
                   iscsi::DataDirection dir) {
  iscsi::ScsiCommandFields f;
  f.itt = itt;
  f.cmd_sn = 1;
  f.expected_length = edtl;
  f.direction = dir;
  f.cdb = cdb;
  return iscsi::scsi_command(f, nullptr, 0);
}

struct Malformed {
  const char* name;
  bool after_login;
  Bytes bytes;
};

std::vector<Malformed> malformed_pdus() {
  std::vector<Malformed> m;
  std::mt19937 rng(7);
  Bytes garbage(4096);
  for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
  m.push_back({"random bytes", false, garbage});
  m.push_back({"random bytes after login", true, garbage});

  iscsi::Pdu huge;
  huge.bhs.set_opcode(iscsi::Opcode::LoginRequest, true);
  huge.bhs.set_u24(iscsi::bhs::kDataSegmentLength, iscsi::kMaxDataSegmentField);
  Bytes huge_bytes(huge.bhs.bytes().begin(), huge.bhs.bytes().end());
  huge_bytes.resize(huge_bytes.size() + 65536, 'A');  // the start of a 16 MiB data segment
  m.push_back({"login with a 16 MiB data segment", false, huge_bytes});
  m.push_back({"truncated header", false, Bytes(huge_bytes.begin(), huge_bytes.begin() + 47)});

  iscsi::Pdu text_junk;
  text_junk.bhs.set_opcode(iscsi::Opcode::LoginRequest, true);
  text_junk.ahs.assign(1020, 0xEE);  // the largest AHS the header can announce
  text_junk.data.assign(300, 'k');   // no '=' and no NUL
  m.push_back({"login with junk AHS and text", false, encoded(text_junk)});
  m.push_back({"SCSI command before login", false,
               encoded(command(1, 512, stack::scsi::read_cdb(0, 1, false), iscsi::DataDirection::Read))});

  m.push_back({"read of 4 GiB", true,
               encoded(command(2, 0xFFFFFFFF, stack::scsi::read_cdb(0, 0xFFFF, false), iscsi::DataDirection::Read))});
  m.push_back({"write past the end", true,
               encoded(command(3, 512, stack::scsi::write_cdb(~0ull >> 1, 1, true), iscsi::DataDirection::Write))});
  iscsi::DataFields d;
  d.itt = 0x77;
  d.final = true;
  const Bytes block(512, 0x33);
  m.push_back({"Data-Out for no command", true, encoded(iscsi::data_out_pdu(d, 0, block.data(), block.size()))});
  iscsi::Pdu too_long = iscsi::nop_out(5, iscsi::kReservedTag, 1, 0);
  too_long.data.assign(1 << 20, 0x11);  // beyond the negotiated MaxRecvDataSegmentLength
  m.push_back({"NOP-Out longer than MaxRecvDataSegmentLength", true, encoded(too_long)});
  iscsi::Pdu reserved;
  reserved.bhs.bytes()[0] = 0x3F;  // a reserved opcode
  Bytes reserved_burst;
  for (int i = 0; i < 100; ++i) {
    const Bytes one = encoded(reserved);
    reserved_burst.insert(reserved_burst.end(), one.begin(), one.end());
  }
  m.push_back({"a burst of reserved opcodes", true, reserved_burst});
  Bytes same_itt = encoded(command(9, 0, stack::scsi::simple_cdb(0x00), iscsi::DataDirection::None));
  const Bytes write = encoded(command(9, 4096, stack::scsi::write_cdb(0, 8, false), iscsi::DataDirection::Write));
  same_itt.insert(same_itt.end(), write.begin(), write.end());
  m.push_back({"commands reusing a task tag", true, same_itt});
  return m;
}

TEST(Replay, CorpusAndMalformedPdusNeverCrashTheServerOrDisturbASession) {
  ServeProcess serve(kReplayTarget, {"--login-timeout", "2"});
  ASSERT_NE(serve.port(), 0) << "see " << serve.log_path();
  const HostPort at{"127.0.0.1", serve.port()};
  iscsi::InitiatorConfig cfg;
  cfg.identity.target_name = kReplayTarget;
  InitiatorClient bystander(at, cfg, kReplayTimeout);
  bystander.login();
  iscsi::ScsiRequest w;
  w.cdb = stack::scsi::write_cdb(1000, 8, false);
  w.direction = iscsi::DataDirection::Write;
  w.transfer_length = 4096;
  w.write_data.assign(4096, 0xC3);
  ASSERT_EQ(bystander.execute(w).status, 0);

  std::size_t replays = 0;
  for (const auto& dir : std::filesystem::directory_iterator(std::string(ISCSIM_SOURCE_DIR) + "/tests/fuzz/corpus")) {
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      std::ifstream in(file.path(), std::ios::binary);
      const Bytes seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      // Whole, and without the settings byte the fuzz targets read first.
      for (const Bytes& bytes : {seed, seed.empty() ? seed : Bytes(seed.begin() + 1, seed.end())}) {
        UniqueFd fd = connect_tcp(at, kReplayTimeout);
        replay(fd.get(), bytes);
        ++replays;
        ASSERT_TRUE(serve.child().running()) << "iscsim serve died on " << file.path() << "; see " << serve.log_path();
      }
    }
  }
  EXPECT_GT(replays, 0u);
  for (const Malformed& m : malformed_pdus()) {
    UniqueFd fd = m.after_login ? logged_in(at) : connect_tcp(at, kReplayTimeout);
    replay(fd.get(), m.bytes);
    ASSERT_TRUE(serve.child().running()) << "iscsim serve died on: " << m.name << "; see " << serve.log_path();
  }

  // The bystander's session is untouched, and the next client is served.
  iscsi::ScsiRequest r;
  r.cdb = stack::scsi::read_cdb(1000, 8, false);
  r.direction = iscsi::DataDirection::Read;
  r.transfer_length = 4096;
  const auto back = bystander.execute(r);
  EXPECT_EQ(back.status, 0);
  EXPECT_EQ(back.data, w.write_data);
  bystander.logout();
  const Shell probe = run_shell(std::string(ISCSIM_BINARY) + " probe " + serve.url(), std::chrono::seconds(30));
  EXPECT_EQ(probe.exit_code, 0) << probe.output;
  EXPECT_EQ(serve.child().stop(SIGTERM, std::chrono::seconds(10)), 0);
}

}  // namespace
}  // namespace iscsim::wire::testing
