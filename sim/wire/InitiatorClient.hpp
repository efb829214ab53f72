#pragma once
// A blocking iSCSI initiator over one real TCP connection: the simulator's InitiatorSession
// (sans-IO, unchanged) driven by a connected socket, one SCSI command at a time. For tools
// such as `iscsim probe`, not for throughput.
#include <chrono>
#include <string>

#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/wire/Socket.hpp"

namespace iscsim::wire {

// The target refused the login (wrong CHAP secret, unknown target name) or failed mutual CHAP.
class LoginRefused : public WireError {
 public:
  using WireError::WireError;
};

class InitiatorClient {
 public:
  // Connects; throws WireError when no connection is made within `timeout`.
  InitiatorClient(const HostPort& target, stack::iscsi::InitiatorConfig config, std::chrono::milliseconds timeout);

  // Logs in (security and operational stages); throws LoginRefused or WireError.
  void login();
  // Sends one command and waits for its completion; throws WireError if the session fails.
  stack::iscsi::ScsiCompletion execute(stack::iscsi::ScsiRequest request);
  // Logs out and waits for the target's answer.
  void logout();

  const stack::iscsi::SessionParams& params() const { return session_.params(); }
  const stack::iscsi::InitiatorSession& session() const { return session_; }

 private:
  // Moves bytes both ways until `done()` holds; throws WireError on failure or timeout.
  template <class Done>
  void pump_until(Done done, const char* what);
  void flush_output(std::chrono::steady_clock::time_point deadline);

  UniqueFd fd_;
  stack::iscsi::InitiatorSession session_;
  std::chrono::milliseconds timeout_;
  std::uint64_t next_tag_ = 1;
};

}  // namespace iscsim::wire
