#pragma once
// An initiator session and a target session joined by an in-memory byte pipe, with a RAM-disk
// backend that executes READ/WRITE on a plain byte vector: the harness for session tests.
#include <cstring>
#include <functional>
#include <memory>
#include <vector>

#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/stack/iscsi/TargetSession.hpp"
#include "sim/stack/scsi/Cdb.hpp"

namespace iscsim::stack::iscsi::testing {

inline constexpr std::uint32_t kBlock = 512;

struct SessionPair {
  InitiatorConfig init_cfg;
  TargetConfig target_cfg;
  std::unique_ptr<InitiatorSession> init;
  std::unique_ptr<TargetSession> target;
  std::vector<std::uint8_t> disk = std::vector<std::uint8_t>(1 << 22);
  std::vector<ScsiCompletion> done;
  // Rewrites bytes on their way to the target (fault injection); called per chunk.
  std::function<void(std::vector<std::uint8_t>&)> to_target_filter;
  // The same for bytes on their way to the initiator.
  std::function<void(std::vector<std::uint8_t>&)> to_initiator_filter;
  std::size_t max_in_flight = 0;  // most commands the target held at once

  SessionPair() {
    init_cfg.identity.target_name = target_cfg.identity.target_name;
  }

  void connect() {
    target_cfg.tsih = static_cast<std::uint16_t>(target_cfg.tsih + 1);
    target = std::make_unique<TargetSession>(target_cfg);
    if (!init) init = std::make_unique<InitiatorSession>(init_cfg);
    init->connect();
    pump();
  }

  void execute(TargetCommand& c) {
    const scsi::Command cmd = scsi::parse_cdb(c.cdb.data(), c.cdb.size());
    CommandResult r;
    const std::size_t at = cmd.lba * kBlock;
    const std::size_t len = std::size_t{cmd.blocks} * kBlock;
    if (cmd.kind == scsi::CommandKind::Read) r.data_in.assign(disk.begin() + at, disk.begin() + at + len);
    if (cmd.kind == scsi::CommandKind::Write) {
      // As the RAM-disk LUN does: what arrived, up to the CDB's length; the residual is the session's.
      std::memcpy(disk.data() + at, c.data_out.data(), std::min(len, c.data_out.size()));
      r.data_out_wanted = static_cast<std::uint32_t>(len);
    }
    target->complete(c.id, r);
  }

  // Moves bytes both ways and executes commands until nothing moves.
  void pump() {
    for (bool moved = true; moved;) {
      moved = false;
      moved |= move(init->output(), [this](const std::uint8_t* p, std::size_t n) {
        std::vector<std::uint8_t> chunk(p, p + n);
        if (to_target_filter) to_target_filter(chunk);
        target->on_bytes(chunk.data(), chunk.size());
      });
      auto cmds = target->take_commands();
      max_in_flight = std::max(max_in_flight, cmds.size());
      for (auto& c : cmds) execute(c);
      moved |= !cmds.empty();
      moved |= move(target->output(), [this](const std::uint8_t* p, std::size_t n) {
        std::vector<std::uint8_t> chunk(p, p + n);
        if (to_initiator_filter) to_initiator_filter(chunk);
        init->on_bytes(chunk.data(), chunk.size());
      });
      for (auto& c : init->take_completions()) done.push_back(std::move(c));
    }
  }

  static bool move(ByteQueue& q, const std::function<void(const std::uint8_t*, std::size_t)>& to) {
    bool moved = false;
    while (!q.empty()) {
      // Small pieces exercise the decoders' reassembly.
      const std::size_t n = std::min<std::size_t>(q.front_size(), 1000);
      std::vector<std::uint8_t> piece(q.front(), q.front() + n);
      q.consume(n);
      to(piece.data(), piece.size());
      moved = true;
    }
    return moved;
  }

  static ScsiRequest read(std::uint64_t tag, std::uint64_t lba, std::uint32_t bytes) {
    ScsiRequest r;
    r.tag = tag;
    r.direction = DataDirection::Read;
    r.transfer_length = bytes;
    r.cdb = scsi::read_cdb(lba, bytes / kBlock, false);
    return r;
  }
  static ScsiRequest write(std::uint64_t tag, std::uint64_t lba, std::uint32_t bytes, std::uint8_t seed) {
    ScsiRequest r;
    r.tag = tag;
    r.direction = DataDirection::Write;
    r.transfer_length = bytes;
    r.cdb = scsi::write_cdb(lba, bytes / kBlock, false);
    r.write_data.resize(bytes);
    for (std::uint32_t i = 0; i < bytes; ++i) r.write_data[i] = static_cast<std::uint8_t>(i * 31 + seed);
    return r;
  }

  std::uint64_t sent(Opcode op) const { return init->counts().sent[static_cast<std::size_t>(op)]; }
  std::uint64_t received(Opcode op) const { return init->counts().received[static_cast<std::size_t>(op)]; }
};

}  // namespace iscsim::stack::iscsi::testing
