#pragma once
// One iSCSI target session bound to its TCP connection and to the target machine's SCSI device:
// what arrives reaches the session when the target host's stack has taken it through (its
// timing model's CPUs), commands run on the RAM disk's bytes at once, and their results go back
// when the timing model says the data is ready.
#include <cstdint>

#include "models/disk/RamDisk.hpp"
#include "sim/stack/iscsi/TargetSession.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

class IscsiTargetLink {
 public:
  IscsiTargetLink(TcpEndpoint& endpoint, const stack::iscsi::TargetConfig& config, stack::scsi::ScsiTarget& device,
                  models::RamDisk& timing, Calendar& calendar);

  void listen();
  const stack::iscsi::TargetSession& session() const { return session_; }
  const TcpEndpoint& endpoint() const { return endpoint_; }

 private:
  void on_activity();
  // The target's thread reads `bytes` the stack has taken through and runs the commands they end.
  void take(std::size_t bytes);
  void execute(stack::iscsi::TargetCommand& command);
  // Writes what the session queued into the socket as far as it has room, booking its stack work.
  std::size_t send();
  void pump();
  void drop_if_failed();

  TcpEndpoint& endpoint_;
  stack::iscsi::TargetSession session_;
  stack::scsi::ScsiTarget& device_;
  models::RamDisk& timing_;
  Calendar& calendar_;
  bool dropped_ = false;
  std::size_t booked_ = 0;  // bytes in the socket the stack is taking through, not yet read
};

}  // namespace iscsim::world
