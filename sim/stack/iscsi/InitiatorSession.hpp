#pragma once
// An iSCSI initiator session over one connection (RFC 7143), sans-IO: SCSI requests go in,
// PDU bytes come out for the transport; bytes from the transport come in, completions come out.
// Error recovery level 0: when the connection fails the owner opens a new transport and calls
// connect() again; the session logs in anew and re-issues every command that had not completed.
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/stack/iscsi/LoginInitiator.hpp"
#include "sim/stack/iscsi/PduBuilders.hpp"
#include "sim/stack/iscsi/PduChannel.hpp"

namespace iscsim::stack::iscsi {

struct ScsiRequest {
  std::uint64_t tag = 0;  // the caller's, returned with the completion
  std::uint64_t lun = 0;
  std::array<std::uint8_t, bhs::kCdbBytes> cdb{};
  DataDirection direction = DataDirection::None;
  std::uint32_t transfer_length = 0;     // Expected Data Transfer Length
  std::vector<std::uint8_t> write_data;  // Write: transfer_length bytes
  std::vector<std::uint8_t> read_buffer;  // Read, optional: a used buffer for the data to land in
};

struct ScsiCompletion {
  std::uint64_t tag = 0;
  std::uint8_t response = scsi_rsp::kCompleted;  // iSCSI response code
  std::uint8_t status = 0;                        // SCSI status
  std::vector<std::uint8_t> data;                 // Read: the data-in buffer (transfer_length bytes)
  std::vector<std::uint8_t> write_data;           // Write: the request's buffer, handed back for reuse
  std::vector<std::uint8_t> sense;
  std::uint32_t residual = 0;
  std::uint8_t residual_flags = 0;  // scsi_rsp::kUnderflow / kOverflow
};

struct InitiatorConfig {
  InitiatorIdentity identity;
  OperationalPrefs prefs;
  std::uint64_t seed = 0;  // CHAP challenges
};

struct InitiatorStats {
  std::uint64_t commands_sent = 0;
  std::uint64_t completions = 0;
  std::uint64_t r2ts = 0;
  std::uint64_t logins = 0;
  std::uint64_t reissued = 0;  // commands sent again after a reconnect
};

class InitiatorSession {
 public:
  enum class State { Idle, LoggingIn, FullFeature, LoggingOut, LoggedOut, Failed };

  explicit InitiatorSession(InitiatorConfig config);

  // A fresh transport connection is up: log in; commands not yet completed are re-issued.
  void connect();
  void on_bytes(const std::uint8_t* data, std::size_t len);
  // The transport broke (reset, timeout): the session waits for connect() on a new one.
  void connection_lost(const std::string& why);

  void submit(ScsiRequest request);
  void logout();
  std::vector<ScsiCompletion> take_completions();

  ByteQueue& output() { return channel_.output(); }
  State state() const { return state_; }
  // A login the target refused (wrong CHAP secret, unknown target): reconnecting will not help.
  bool login_refused() const { return login_refused_; }
  const std::string& failure() const { return failure_; }
  const SessionParams& params() const { return params_; }
  const PduCounts& counts() const { return channel_.counts(); }
  const InitiatorStats& stats() const { return stats_; }
  std::size_t outstanding() const { return pending_.size() + active_.size(); }

 private:
  struct Task {
    std::uint64_t order = 0;  // submission order, kept across reconnects
    ScsiRequest request;
    std::uint32_t itt = 0;
    std::uint32_t next_data_sn = 0;
    std::uint32_t data_in_bytes = 0;
    std::vector<std::uint8_t> data_in;
  };

  void handle(const Pdu& pdu);
  void login_step(const Pdu& pdu);
  void send_ready();
  void send_command(Task task);
  void send_data_out(const Task& task, std::uint32_t ttt, std::uint32_t offset, std::uint32_t length);
  void on_data_in(const Pdu& pdu);
  void on_r2t(const Pdu& pdu);
  void on_response(const Pdu& pdu);
  void on_nop_in(const Pdu& pdu);
  void complete(Task& task, const ScsiCompletion& result);
  void note_target_sn(const Bhs& bhs, bool carries_status);
  void fail(const std::string& why);
  std::uint32_t next_itt();

  InitiatorConfig config_;
  PduChannel channel_;
  Pdu received_;  // each PDU from the target decoded into the same buffers
  std::unique_ptr<LoginInitiator> login_;
  State state_ = State::Idle;
  bool login_refused_ = false;
  std::string failure_;
  SessionParams params_;
  std::deque<Task> pending_;  // not yet sent on this connection
  std::unordered_map<std::uint32_t, Task> active_;
  std::vector<ScsiCompletion> completions_;
  std::uint64_t next_order_ = 0;
  std::uint32_t itt_ = 0;
  std::uint32_t cmd_sn_ = 1;
  std::uint32_t exp_stat_sn_ = 0;
  std::uint32_t max_cmd_sn_ = 0;
  std::uint32_t logout_itt_ = kReservedTag;
  InitiatorStats stats_;
};

}  // namespace iscsim::stack::iscsi
