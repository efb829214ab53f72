#pragma once
// One iSCSI session of the initiator bound to its TCP connection: the session logs in once the
// connection is up, takes the workload's SCSI requests, and hands completions back to it.
#include <cstdint>
#include <vector>

#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/workload/Iometer.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

class IscsiInitiatorLink : public workload::IoTarget {
 public:
  IscsiInitiatorLink(TcpEndpoint& endpoint, const stack::iscsi::InitiatorConfig& config, workload::Iometer& iometer,
                     std::size_t path);

  void start();  // the TCP connection opens; login follows
  void submit(stack::iscsi::ScsiRequest request) override;
  void logout();
  bool ended() const;  // logged out, or failed for good

  const stack::iscsi::InitiatorSession& session() const { return session_; }
  const TcpEndpoint& endpoint() const { return endpoint_; }

 private:
  void on_activity();
  void pump();

  TcpEndpoint& endpoint_;
  stack::iscsi::InitiatorSession session_;
  workload::Iometer& iometer_;
  std::size_t path_;
  bool login_started_ = false;
  bool ready_ = false;
  std::vector<std::uint8_t> scratch_;
};

}  // namespace iscsim::world
