#pragma once
// One iSCSI target session bound to its TCP connection and to the target machine's SCSI device:
// commands run on the RAM disk's bytes at once, and their results go back when the RAM disk's
// timing model says the data is ready.
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
  void execute(stack::iscsi::TargetCommand& command);
  void pump();

  TcpEndpoint& endpoint_;
  stack::iscsi::TargetSession session_;
  stack::scsi::ScsiTarget& device_;
  models::RamDisk& timing_;
  Calendar& calendar_;
  bool dropped_ = false;
};

}  // namespace iscsim::world
