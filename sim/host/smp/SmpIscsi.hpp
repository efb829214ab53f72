#pragma once
// One iSCSI session of the SMP initiator as the paper's Linux set-up runs it (Fig 2a): a dynamo
// worker issues raw I/O through the SCSI midlayer (serialized on io_request_lock), the iSCSI
// driver hands commands to a transmit thread that writes the synchronous socket, and a receive
// thread reads it, copies the data out and completes commands. Every step is charged on the
// CPU its thread runs on.
#include <cstdint>
#include <deque>

#include "sim/host/smp/SmpHost.hpp"
#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"

namespace iscsim::host::smp {

class SmpIscsiPath : public world::IoTarget {
 public:
  // `user_buffer_bytes`: the dynamo worker's I/O buffers (outstanding x request size).
  SmpIscsiPath(SmpHost& host, world::IscsiInitiatorLink& link, std::size_t index, std::uint64_t user_buffer_bytes);

  void submit(stack::iscsi::ScsiRequest request) override;

 private:
  Work receive_thread();
  Work transmit_thread();
  Work worker_thread();
  void notify();
  void wake(Thread* t);
  models::Addr user_span(std::uint64_t& cursor, std::uint64_t bytes);

  SmpHost& host_;
  world::IscsiInitiatorLink& link_;
  Thread* rx_ = nullptr;
  Thread* tx_ = nullptr;
  Thread* worker_ = nullptr;
  std::deque<stack::iscsi::ScsiRequest> to_issue_;
  models::Addr user_ = 0;
  std::uint64_t user_bytes_ = 0;
  std::uint64_t rx_cursor_ = 0;
  std::uint64_t tx_cursor_ = 0;
  std::uint64_t map_cursor_ = 0;  // the buffer of the next raw I/O to map
  models::Addr mem_map_ = 0;      // the struct pages of the worker's buffers
  std::uint64_t tx_pdus_seen_ = 0;     // PDUs the session had queued at the last transmit run
  std::uint64_t tx_pdus_waiting_ = 0;  // of those, not yet written to the socket
  models::SlabCache* scsi_cmnds_;
  models::SlabCache* iscsi_cmds_;
  // A raw I/O's buffer_heads, one per sector, allocated together and freed by the worker.
  struct BufferHeads {
    models::SlabCache* cache = nullptr;
    models::Addr addr = 0;
    std::uint64_t bytes = 0;
  };
  struct Live {
    models::Addr scsi_cmnd = 0;
    models::Addr iscsi_cmd = 0;
    std::uint64_t bytes = 0;
    BufferHeads bhs;
  };
  BufferHeads alloc_buffer_heads(std::uint64_t io_bytes);
  std::deque<BufferHeads> completed_;  // buffer_heads of completed I/Os, freed by the worker
  std::deque<Live> live_;  // commands issued and not yet completed, oldest first
};

}  // namespace iscsim::host::smp
