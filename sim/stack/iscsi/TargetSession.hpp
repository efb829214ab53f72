#pragma once
// An iSCSI target session over one connection (RFC 7143), sans-IO: bytes from the transport
// come in, SCSI commands whose data has all arrived come out to be executed, and their results
// go back as Data-In, R2T and SCSI Response PDUs in the output queue. Error recovery level 0:
// a digest error or a protocol violation fails the connection (the owner drops it).
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/stack/iscsi/LoginTarget.hpp"
#include "sim/stack/iscsi/PduBuilders.hpp"
#include "sim/stack/iscsi/PduChannel.hpp"

namespace iscsim::stack::iscsi {

struct TargetConfig {
  TargetIdentity identity;
  OperationalPrefs prefs;
  std::uint32_t command_window = 64;  // commands the target accepts beyond those completed
  // Commands the target works on at once (0: every accepted one). The rest wait in arrival order,
  // unread as far as the target is concerned: no R2T and no execution until one ends. The paper's
  // targets took one command at a time; over-provisioned socket buffers held the others.
  std::uint32_t commands_at_once = 0;
  bool status_in_data_in = true;      // phase collapse: GOOD status rides on the last Data-In
  // Largest Expected Data Transfer Length accepted: a peer must not make us allocate what it
  // merely claims (the LUN's block limits allow 65535 blocks of 512 bytes).
  std::uint32_t max_transfer_bytes = 32 << 20;
  std::uint16_t tsih = 1;
  std::uint32_t initial_stat_sn = 1;
  std::uint64_t seed = 0;  // CHAP challenges
};

// A command ready to execute: every byte of its Data-Out has arrived.
struct TargetCommand {
  std::uint64_t id = 0;
  std::uint64_t lun = 0;
  std::array<std::uint8_t, bhs::kCdbBytes> cdb{};
  std::uint32_t expected_length = 0;
  DataDirection direction = DataDirection::None;
  std::vector<std::uint8_t> data_out;
};

struct CommandResult {
  std::uint8_t status = 0;
  std::vector<std::uint8_t> data_in;
  std::vector<std::uint8_t> sense;
  // A write: the bytes its CDB called for, when the device knows them. If they differ from the
  // Expected Data Transfer Length the response carries the residual (RFC 7143 11.4.5.2).
  std::optional<std::uint32_t> data_out_wanted;
};

struct TargetStats {
  std::uint64_t commands = 0;
  std::uint64_t r2ts = 0;
  std::uint64_t rejects = 0;
  std::uint64_t aborted = 0;
};

class TargetSession {
 public:
  enum class State { LoggingIn, FullFeature, LoggedOut, Failed };

  explicit TargetSession(TargetConfig config);

  void on_bytes(const std::uint8_t* data, std::size_t len);
  std::vector<TargetCommand> take_commands();
  // A taken command's data-out buffer, once executed: a later write's data arrives in it.
  void recycle(std::vector<std::uint8_t>&& data_out);
  void complete(std::uint64_t id, const CommandResult& result);

  ByteQueue& output() { return channel_.output(); }
  State state() const { return state_; }
  const std::string& failure() const { return failure_; }
  bool discovery() const { return login_->discovery(); }
  const SessionParams& params() const { return params_; }
  const PduCounts& counts() const { return channel_.counts(); }
  const TargetStats& stats() const { return stats_; }

 private:
  struct Task {
    std::uint64_t id = 0;
    std::uint32_t itt = 0;
    TargetCommand command;
    std::uint32_t received = 0;
    std::uint32_t unsolicited_end = 0;  // data the initiator may send without an R2T
    std::uint32_t next_r2t_offset = 0;
    std::uint32_t r2t_sn = 0;
    std::uint32_t open_r2ts = 0;
    // An R2T's burst by TTT: where it ends and the DataSN its next Data-Out must carry (each
    // sequence counts its Data-Out PDUs from 0, RFC 7143 section 11.7.5).
    struct Burst {
      std::uint32_t end = 0;
      std::uint32_t next_data_sn = 0;
    };
    std::map<std::uint32_t, Burst> r2t_bursts;
    std::uint32_t unsolicited_data_sn = 0;
    bool started = false;  // the target has begun to work on it (commands_at_once)
    bool executing = false;
    bool aborted = false;
  };

  void handle(const Pdu& pdu);
  void on_command(const Pdu& pdu);
  void on_data_out(const Pdu& pdu);
  void on_nop_out(const Pdu& pdu);
  void on_text(const Pdu& pdu);
  void on_task_mgmt(const Pdu& pdu);
  void on_logout(const Pdu& pdu);
  bool accept_cmd_sn(const Bhs& bhs);
  void start(Task& t);
  // Begins accepted commands, oldest first, while fewer than commands_at_once are begun.
  void start_waiting();
  void issue_r2ts(Task& t);
  void maybe_ready(Task& t);
  void send_read_data(const Task& t, const CommandResult& r);
  void reject(std::uint8_t reason, const Bhs& bhs);
  void fail(const std::string& why);
  TargetSn sn(bool advance_stat_sn);

  TargetConfig config_;
  PduChannel channel_;
  Pdu received_;  // each PDU from the initiator decoded into the same buffers
  std::unique_ptr<LoginTarget> login_;
  State state_ = State::LoggingIn;
  std::string failure_;
  SessionParams params_;
  std::unordered_map<std::uint32_t, Task> tasks_;  // by ITT
  std::unordered_map<std::uint64_t, std::uint32_t> itt_of_;  // command id → ITT
  std::vector<TargetCommand> ready_;
  std::vector<std::vector<std::uint8_t>> spare_data_out_;  // recycled write buffers
  std::uint64_t next_id_ = 1;
  std::uint32_t next_ttt_ = 1;
  std::uint32_t stat_sn_ = 0;
  std::uint32_t exp_cmd_sn_ = 0;
  std::uint32_t in_progress_ = 0;
  std::uint32_t started_ = 0;            // commands begun and not yet ended
  std::deque<std::uint64_t> waiting_;    // ids of accepted commands not yet begun, oldest first
  TargetStats stats_;
};

}  // namespace iscsim::stack::iscsi
