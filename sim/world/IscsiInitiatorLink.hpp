#pragma once
// One iSCSI session of the initiator bound to its TCP connection: the session logs in once the
// connection is up, takes the workload's SCSI requests, and hands completions back to it. At
// error recovery level 0 a failed connection is dropped and, after DefaultTime2Wait, a new one is
// opened; the session logs in again and re-issues what had not completed.
#include <cstdint>
#include <functional>
#include <limits>

#include "sim/stack/iscsi/ByteQueue.hpp"
#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/IoTarget.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

class IscsiInitiatorLink : public IoTarget {
 public:
  // Opens a new TCP connection to the same target (and its listening end) after a failure.
  using Reconnect = std::function<TcpEndpoint*()>;

  IscsiInitiatorLink(TcpEndpoint& endpoint, const stack::iscsi::InitiatorConfig& config, IoSink& sink,
                     std::size_t path, Calendar& calendar, Reconnect reconnect);

  // Deferred mode (a host whose software runs on simulated CPUs): socket activity and new
  // requests only call `notify`; the host's threads then call receive() and transmit().
  void set_deferred(std::function<void()> notify);
  // Reads what the socket holds into the session and hands completions to the workload;
  // returns the bytes read.
  std::size_t receive();
  // Writes what the session queued into the socket as far as it has room, at most `max_bytes`;
  // returns the bytes.
  std::size_t transmit(std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

  // Two-step receive for a host whose TCP runs elsewhere (AMP): the packet engine moves up to
  // `max_bytes` the socket holds into host memory now (the TCP window opens then), and the host
  // hands what landed to the session later. Both return bytes.
  std::size_t pull(std::size_t max_bytes);
  std::size_t process_landed(std::size_t max_bytes);
  std::size_t landed_bytes() const { return landed_.size(); }
  // Every byte of session output written into the socket so far.
  std::uint64_t transmitted_bytes() const { return transmitted_; }
  // The connection is up and the session has not started its login yet (it starts on the next
  // receive or process_landed).
  bool login_due() const;
  bool has_output() { return !session_.output().empty(); }
  std::size_t output_bytes() { return session_.output().size(); }

  void start();  // the TCP connection opens; login follows
  // Straight to the session: whoever issues it.
  void submit(stack::iscsi::ScsiRequest request, std::size_t issuer) override;
  void logout();
  bool ended() const;  // logged out, or failed for good

  const stack::iscsi::InitiatorSession& session() const { return session_; }
  TcpEndpoint& endpoint() { return *endpoint_; }
  const TcpEndpoint& endpoint() const { return *endpoint_; }
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  void on_activity();
  std::size_t read_socket();
  void start_login_if_connected();
  void after_delivery();
  void pump();
  void attach_endpoint();
  void check_connection();
  void reconnect();

  TcpEndpoint* endpoint_;
  Calendar& calendar_;
  Reconnect reconnect_;
  std::function<void()> notify_;
  bool reconnecting_ = false;
  std::uint64_t reconnects_ = 0;
  stack::iscsi::InitiatorSession session_;
  IoSink& sink_;
  std::size_t path_;
  bool login_started_ = false;
  bool ready_ = false;
  stack::iscsi::ByteQueue landed_;
  std::uint64_t transmitted_ = 0;  // pulled from the socket, not yet seen by the session
};

}  // namespace iscsim::world
