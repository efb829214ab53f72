#pragma once
// One accepted TCP connection of `iscsim serve`, bound to its own iSCSI TargetSession (the
// simulator's sans-IO session, unchanged) and to the server's shared SCSI device: bytes read
// from the socket go to the session, its commands run on the RAM disk at once, and its output
// goes back as the socket takes it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/stack/iscsi/TargetSession.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "sim/wire/Socket.hpp"

namespace iscsim::wire {

using Clock = std::chrono::steady_clock;

class ServerConnection {
 public:
  enum class Verdict { Keep, Close };

  // `refuse`: the server is full; the first Login Request gets "out of resources" and the
  // connection closes.
  ServerConnection(UniqueFd fd, std::string peer, const stack::iscsi::TargetConfig& config,
                   stack::scsi::ScsiTarget& device, Clock::time_point deadline, bool refuse);

  Verdict on_readable();
  Verdict on_writable();

  int fd() const { return fd_.get(); }
  const std::string& peer() const { return peer_; }
  // Interest in the socket: reading stops while too much output waits (the peer is not reading).
  bool wants_read();
  bool wants_write() { return !session_.output().empty(); }
  // Past this instant the connection is dropped: a login that did not finish, or last words
  // the peer would not take. Empty while in Full Feature Phase.
  std::optional<Clock::time_point> deadline() const { return deadline_; }
  // Why the deadline() passed, for the log.
  const char* late_reason() const { return closing_ ? "did not take its last PDUs in time" : "login timed out"; }
  // Why the session ended, if it failed; empty otherwise.
  std::string failure() const;

 private:
  void run_commands();
  Verdict after_io();
  void refuse_login();

  UniqueFd fd_;
  std::string peer_;
  stack::iscsi::TargetSession session_;
  stack::scsi::ScsiTarget& device_;
  std::optional<Clock::time_point> deadline_;
  bool refuse_;
  bool closing_ = false;
  bool peer_closed_ = false;
  std::string io_error_;
  stack::iscsi::PduDecoder refusal_decoder_{stack::iscsi::OperationalPrefs{}.max_recv_data_segment_length};
  std::vector<std::uint8_t> scratch_;
};

}  // namespace iscsim::wire
