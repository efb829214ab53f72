#pragma once
// `iscsim serve`: an iSCSI target on real kernel sockets. One thread runs an epoll loop over
// the listening socket and every connection; each connection has its own TargetSession (the
// simulator's protocol code) and all share one SCSI device whose LUN 0 is a RAM disk.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "sim/stack/iscsi/TargetSession.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "sim/wire/ServerConnection.hpp"
#include "sim/wire/Socket.hpp"

namespace iscsim::wire {

// Connections (logged in or logging in) served at once; more are refused with "out of
// resources". Enough for a test suite's parallel sessions, small enough to bound memory.
inline constexpr std::size_t kDefaultMaxSessions = 16;
// A connection must finish its login within this: an idle or stalled login holds a session
// slot. Generous next to a LAN login (milliseconds) and to libiscsi's own 5 s default timeout.
inline constexpr std::chrono::milliseconds kDefaultLoginTimeout{15000};
// Largest data segment the target accepts in one PDU (its MaxRecvDataSegmentLength); what
// Linux open-iscsi and tgt use by default. Longer PDUs fail their connection.
inline constexpr std::uint32_t kDefaultMaxRecvDataSegment = 262144;

struct ServerConfig {
  HostPort listen;
  stack::iscsi::TargetIdentity identity;  // target name, CHAP credentials
  stack::iscsi::OperationalPrefs prefs;
  std::uint64_t lun_bytes = 0;
  std::size_t max_sessions = kDefaultMaxSessions;
  std::chrono::milliseconds login_timeout = kDefaultLoginTimeout;
  std::ostream* log = nullptr;  // one line per connection event; null: quiet
};

class TargetServer {
 public:
  // Binds the listening socket (throws WireError); serving starts with run().
  explicit TargetServer(ServerConfig config);
  ~TargetServer();

  // The port actually bound (the kernel picks one for port 0).
  std::uint16_t port() const { return port_; }
  // Serves until request_stop(); then closes every connection and returns.
  void run();
  // Async-signal-safe and thread-safe: a signal handler or another thread may call it.
  void request_stop();

  std::size_t connections() const { return connections_.size(); }
  std::uint64_t sessions_served() const { return accepted_; }

 private:
  void accept_all();
  void on_event(int fd, std::uint32_t events);
  void update_interest(ServerConnection& c);
  void close(int fd, const std::string& why);
  void expire(Clock::time_point now);
  stack::iscsi::TargetConfig session_config();
  void log(const std::string& line);

  ServerConfig config_;
  stack::scsi::ScsiTarget device_;
  UniqueFd listen_fd_;
  UniqueFd epoll_fd_;
  UniqueFd stop_fd_;
  std::uint16_t port_ = 0;
  std::map<int, std::unique_ptr<ServerConnection>> connections_;
  std::uint64_t accepted_ = 0;
  std::uint16_t next_tsih_ = 1;
};

}  // namespace iscsim::wire
