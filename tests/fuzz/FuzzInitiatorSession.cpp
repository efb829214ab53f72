// A whole iSCSI initiator session fed arbitrary bytes as its target's side of the TCP stream
// (wire mode talks to real targets): login, negotiation, Data-In, R2Ts, responses and NOP-Ins
// must never crash it, every request completes at most once with the tag it was given, a read
// completes with the buffer it asked for, and no request is lost (completed + outstanding =
// submitted). A failed connection is reconnected, as the host does, a bounded number of times.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/stack/scsi/Cdb.hpp"
#include "tests/fuzz/FuzzHarness.hpp"

namespace {

using iscsim::fuzz::chunk_bytes;
using iscsim::fuzz::require;
using iscsim::stack::iscsi::DataDirection;
using iscsim::stack::iscsi::InitiatorConfig;
using iscsim::stack::iscsi::InitiatorSession;
using iscsim::stack::iscsi::ScsiRequest;

constexpr std::size_t kMaxOutputBytes = 64 << 20;
constexpr int kMaxReconnects = 2;
constexpr std::uint8_t kChapBit = 0x01;
constexpr std::uint8_t kDigestBit = 0x02;
constexpr std::uint8_t kUnsolicitedBit = 0x04;  // InitialR2T=No: the write's first burst unsolicited
constexpr std::uint8_t kNoImmediateBit = 0x08;  // ImmediateData=No: write data in Data-Out PDUs only
constexpr std::uint32_t kBlock = 512;

ScsiRequest request(std::uint64_t tag, DataDirection dir, std::uint32_t bytes, std::array<std::uint8_t, 16> cdb) {
  ScsiRequest r;
  r.tag = tag;
  r.direction = dir;
  r.transfer_length = bytes;
  r.cdb = cdb;
  if (dir == DataDirection::Write) r.write_data.assign(bytes, static_cast<std::uint8_t>(tag));
  return r;
}

// What make_session_seeds records the target answering: a read, a write, an INQUIRY and a
// REPORT LUNS, in this order, then a logout once all four have completed.
std::vector<ScsiRequest> requests() {
  namespace scsi = iscsim::stack::scsi;
  std::array<std::uint8_t, 16> report_luns{0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64};
  return {request(1, DataDirection::Read, 2048, scsi::read_cdb(0, 2048 / kBlock, false)),
          request(2, DataDirection::Write, 4096, scsi::write_cdb(64, 4096 / kBlock, false)),
          request(3, DataDirection::Read, 96, scsi::inquiry_cdb(false, 0, 96)),
          request(4, DataDirection::Read, 64, report_luns)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  InitiatorConfig cfg;
  cfg.identity.target_name = "iqn.2004-01.org.iscsim:ramdisk";
  if (mode & kChapBit) cfg.identity.chap = {"alice", "secret-of-alice"};
  cfg.prefs.header_digest = cfg.prefs.data_digest = (mode & kDigestBit) != 0;
  if (mode & kUnsolicitedBit) cfg.prefs.initial_r2t = false;
  if (mode & kNoImmediateBit) cfg.prefs.immediate_data = false;
  InitiatorSession session(cfg);
  session.connect();
  std::vector<ScsiRequest> reqs = requests();
  std::vector<std::uint32_t> lengths;
  std::vector<bool> reads;
  for (auto& r : reqs) {
    lengths.push_back(r.transfer_length);
    reads.push_back(r.direction == DataDirection::Read);
    session.submit(std::move(r));
  }
  std::set<std::uint64_t> done;
  int reconnects = 0;
  bool logged_out = false;
  const std::size_t chunk = chunk_bytes(mode);  // the high nibble: pieces of 1 byte up to the whole stream
  for (std::size_t at = 1; at < size; at += chunk) {
    session.on_bytes(data + at, std::min(chunk, size - at));
    for (const auto& c : session.take_completions()) {
      require(c.tag >= 1 && c.tag <= lengths.size());
      require(done.insert(c.tag).second);
      if (reads[c.tag - 1]) require(c.data.size() == lengths[c.tag - 1]);
    }
    require(done.size() + session.outstanding() == lengths.size());
    auto& out = session.output();
    require(out.size() < kMaxOutputBytes);
    while (!out.empty()) out.consume(out.front_size());
    if (done.size() == lengths.size() && !logged_out) {
      session.logout();
      logged_out = true;
    }
    if (session.state() == InitiatorSession::State::Failed && !session.login_refused() &&
        reconnects < kMaxReconnects) {
      ++reconnects;
      session.connect();
    }
  }
  return 0;
}
