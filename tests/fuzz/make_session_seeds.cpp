// Writes tests/fuzz/corpus/target_session/ (what a real initiator session sends a target: login,
// I/O, logout) and tests/fuzz/corpus/initiator_session/ (what the target answers), recorded
// through the in-memory session pair. Built by hand, from the source root:
//   g++ -std=c++17 -I. tests/fuzz/make_session_seeds.cpp build/libiscsim_stack.a -lnettle -o /tmp/seeds && /tmp/seeds
// The first byte of each seed is the fuzz target's mode byte.
#include <fstream>
#include "tests/stack/iscsi/SessionPair.hpp"
using namespace iscsim::stack::iscsi;
using testing::SessionPair;
static void save(const std::string& dir, const std::string& name, std::uint8_t mode, const std::vector<std::uint8_t>& bytes) {
  std::ofstream f("tests/fuzz/corpus/" + dir + "/" + name, std::ios::binary);
  f.put(static_cast<char>(mode));
  f.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
static void save(const std::string& name, std::uint8_t mode, const std::vector<std::uint8_t>& bytes) {
  save("target_session", name, mode, bytes);
}
struct Recording {
  std::vector<std::uint8_t> to_target;
  std::vector<std::uint8_t> to_initiator;
};
static Recording record_both(SessionPair& s, const std::function<void(SessionPair&)>& work) {
  Recording r;
  s.to_target_filter = [&r](std::vector<std::uint8_t>& c) { r.to_target.insert(r.to_target.end(), c.begin(), c.end()); };
  s.to_initiator_filter = [&r](std::vector<std::uint8_t>& c) { r.to_initiator.insert(r.to_initiator.end(), c.begin(), c.end()); };
  s.connect();
  work(s);
  s.pump();
  return r;
}
static std::vector<std::uint8_t> record(SessionPair& s, const std::function<void(SessionPair&)>& work) {
  return record_both(s, work).to_target;
}
int main() {
  auto io = [](SessionPair& s) {
    s.init->submit(SessionPair::read(1, 0, 2048));
    s.init->submit(SessionPair::write(2, 64, 4096, 3));
    ScsiRequest inq; inq.tag = 3; inq.direction = DataDirection::Read; inq.transfer_length = 96;
    inq.cdb = iscsim::stack::scsi::inquiry_cdb(false, 0, 96);
    s.init->submit(inq);
    ScsiRequest rl; rl.tag = 4; rl.direction = DataDirection::Read; rl.transfer_length = 64;
    rl.cdb = {0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64};
    s.init->submit(rl);
    s.pump();
    s.init->logout();
  };
  { SessionPair s; save("login_io_logout", 0x00, record(s, io)); }
  { SessionPair s; for (auto* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) p->header_digest = p->data_digest = true;
    save("digests_io", 0x02 | 0x20, record(s, io)); }
  { SessionPair s; s.target_cfg.identity.chap = {"alice", "secret-of-alice"}; s.init_cfg.identity.chap = {"alice", "secret-of-alice"};
    save("chap_io", 0x01, record(s, io)); }
  { SessionPair s; s.target_cfg.identity.chap = {"alice", "secret-of-alice"}; s.init_cfg.identity.chap = {"alice", "wrong"};
    save("chap_wrong", 0x01, record(s, [](SessionPair&) {})); }
  { SessionPair s; for (auto* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) { p->initial_r2t = false; p->max_burst_length = 4096; p->first_burst_length = 2048; p->max_outstanding_r2t = 2; }
    save("unsolicited_bursts", 0x04 | 0x10, record(s, [](SessionPair& s) { s.init->submit(SessionPair::write(1, 0, 8192, 1)); })); }
  { SessionPair s; s.target_cfg.command_window = 2;
    save("small_window", 0x08 | 0x30, record(s, [](SessionPair& s) { for (int i = 0; i < 6; ++i) s.init->submit(SessionPair::read(i, i * 16, 4096)); })); }
  { SessionPair s; s.init_cfg.identity.target_name.clear(); save("discovery", 0x00, record(s, [](SessionPair&) {})); }
  // FuzzInitiatorSession's modes: bit 0 CHAP, bit 1 digests, bit 2 InitialR2T=No, bit 3 ImmediateData=No,
  // high nibble the chunk size.
  { SessionPair s; save("initiator_session", "login_io_logout", 0x50, record_both(s, io).to_initiator); }
  { SessionPair s; for (auto* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) p->header_digest = p->data_digest = true;
    save("initiator_session", "digests_io", 0x02 | 0x20, record_both(s, io).to_initiator); }
  { SessionPair s; s.target_cfg.identity.chap = {"alice", "secret-of-alice"}; s.init_cfg.identity.chap = {"alice", "secret-of-alice"};
    save("initiator_session", "chap_io", 0x01 | 0x30, record_both(s, io).to_initiator); }
  { SessionPair s; for (auto* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) { p->initial_r2t = false; p->immediate_data = false; }
    save("initiator_session", "unsolicited_io", 0x04 | 0x08 | 0x40, record_both(s, io).to_initiator); }
  { SessionPair s; for (auto* p : {&s.init_cfg.prefs, &s.target_cfg.prefs}) p->immediate_data = false;
    save("initiator_session", "r2t_io", 0x08 | 0x10, record_both(s, io).to_initiator); }
}
