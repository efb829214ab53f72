// A whole iSCSI target session, with a RAM-disk LUN behind it, fed arbitrary bytes as its TCP
// stream: login, negotiation, commands, data and task management must never crash, never hand
// out a write without all its data, and stop producing once the session has failed or ended.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "sim/stack/iscsi/TargetSession.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "tests/fuzz/FuzzHarness.hpp"

namespace {

using iscsim::fuzz::chunk_bytes;
using iscsim::fuzz::require;
using iscsim::stack::iscsi::DataDirection;
using iscsim::stack::iscsi::TargetConfig;
using iscsim::stack::iscsi::TargetSession;

constexpr std::uint64_t kLunBytes = 1 << 20;
constexpr std::size_t kMaxOutputBytes = 64 << 20;
constexpr std::uint8_t kChapBit = 0x01;
constexpr std::uint8_t kDigestBit = 0x02;
constexpr std::uint8_t kSeparateStatusBit = 0x04;
constexpr std::uint8_t kSmallWindowBit = 0x08;  // a window of 2, and one command begun at a time

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  TargetConfig cfg;
  cfg.identity.target_name = "iqn.2004-01.org.iscsim:ramdisk";
  if (mode & kChapBit) cfg.identity.chap = {"alice", "secret-of-alice"};
  cfg.prefs.header_digest = cfg.prefs.data_digest = (mode & kDigestBit) != 0;
  cfg.status_in_data_in = (mode & kSeparateStatusBit) == 0;
  if (mode & kSmallWindowBit) {
    cfg.command_window = 2;
    cfg.commands_at_once = 1;
  }
  TargetSession session(cfg);
  iscsim::stack::scsi::ScsiTarget device;
  device.add_lun(0, iscsim::stack::scsi::Lun(iscsim::stack::scsi::LunIdentity{}, kLunBytes));
  // Chunks of 1 byte up to the whole stream.
  const std::size_t chunk = chunk_bytes(mode);  // the high nibble: pieces of 1 byte up to the whole stream
  bool ended = false;
  for (std::size_t at = 1; at < size; at += chunk) {
    const std::size_t n = std::min(chunk, size - at);
    session.on_bytes(data + at, n);
    for (auto& c : session.take_commands()) {
      require(!ended);
      if (c.direction == DataDirection::Write) require(c.data_out.size() == c.expected_length);
      const auto r = device.execute(iscsim::stack::scsi::lun_number(c.lun), c.cdb.data(), c.cdb.size(),
                                    c.data_out.data(), c.data_out.size());
      iscsim::stack::iscsi::CommandResult result;
      result.status = static_cast<std::uint8_t>(r.status);
      result.data_in = r.data_in;
      result.sense = r.sense;
      session.complete(c.id, result);
    }
    auto& out = session.output();
    require(out.size() < kMaxOutputBytes);
    if (ended) require(out.empty());
    std::size_t drained = 0;
    const std::size_t queued = out.size();
    while (!out.empty()) {
      drained += out.front_size();
      out.consume(out.front_size());
    }
    require(drained == queued);
    ended = session.state() == TargetSession::State::Failed || session.state() == TargetSession::State::LoggedOut;
  }
  return 0;
}
