#pragma once
// One iSCSI session of the SMP initiator as the paper's Linux set-up runs it (Fig 2a): dynamo's
// workers issue raw I/O through glibc's AIO helper threads and the SCSI midlayer (serialized on
// io_request_lock), the iSCSI driver hands commands to a transmit thread that writes the
// synchronous socket, and a receive thread reads it, copies the data out and completes commands.
// Every step is charged on the CPU its thread runs on.
#include <cstdint>

#include "sim/host/kernel/DynamoIo.hpp"
#include "sim/host/kernel/GlibcAio.hpp"
#include "sim/host/smp/SmpHost.hpp"
#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"

namespace iscsim::host::smp {

class SmpIscsiPath : public world::IoTarget {
 public:
  // `user_buffer_bytes`: each dynamo worker's one I/O buffer, shared by all its I/Os.
  SmpIscsiPath(SmpHost& host, world::IscsiInitiatorLink& link, std::size_t index, std::uint64_t user_buffer_bytes);

  void submit(stack::iscsi::ScsiRequest request, std::size_t issuer) override;

 private:
  Work receive_thread();
  Work transmit_thread();
  void notify();
  void wake(Thread* t);

  SmpHost& host_;
  world::IscsiInitiatorLink& link_;
  kernel::DynamoIo io_;
  kernel::GlibcAio aio_;
  Thread* rx_ = nullptr;
  Thread* tx_ = nullptr;
  bool draining_prequeue_ = false;  // the receive thread processes its socket's prequeue
  std::uint64_t rx_cursor_ = 0;
  // Data received since the last PDU was parsed, placed when the next one is: where it starts.
  models::Addr unplaced_at_ = 0;
  std::uint64_t unplaced_bytes_ = 0;
  std::uint64_t tx_cursor_ = 0;
  std::uint64_t tx_pdus_seen_ = 0;     // PDUs the session had queued at the last transmit run
  std::uint64_t tx_pdus_waiting_ = 0;  // of those, not yet written to the socket
};

}  // namespace iscsim::host::smp
