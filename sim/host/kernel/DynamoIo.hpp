#pragma once
// dynamo's raw I/O through the Linux 2.4 block and SCSI layers, as every architecture whose host
// runs Linux does it: the worker's system call maps the user buffer (a reference on each struct
// page, one buffer_head per 512-byte sector), queues the command under io_request_lock and hands
// it to the iSCSI driver; the completion side ends it under the same lock. Charged on the CPU
// its thread runs on.
#include <cstdint>
#include <deque>

#include "models/memory/AddressSpace.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"

namespace iscsim::host::kernel {

// IOmeter's dynamo is one user process with a thread per worker: they share one address space.
inline constexpr int kDynamoProcess = 0;

class DynamoIo {
 public:
  // `user_buffer_bytes`: the worker's one I/O buffer (IOmeter: the largest transfer size), which
  // every I/O it has outstanding maps and fills (or sends from).
  DynamoIo(CpuSet& cpus, const KernelPaths& paths, const KernelObjects& objects, models::AddressSpace& memory,
           const models::CodePathCatalog& catalog, std::uint64_t user_buffer_bytes);

  // The worker issues one I/O of `bytes` on `cpu`, up to and including iscsi_queuecommand.
  // Returns where its data sits in the user's buffers.
  models::Addr issue(int cpu, std::uint64_t bytes);
  // The oldest command completes on `cpu` (scsi_done under io_request_lock, its buffer_heads ended).
  void complete(int cpu);
  // The next `bytes` of the user's buffers a copy walks, in order.
  models::Addr user_span(std::uint64_t& cursor, std::uint64_t bytes);
  // The iSCSI command structure of the newest command (what a PDU being built touches), 0 if none.
  models::Addr newest_iscsi_cmd() const { return live_.empty() ? 0 : live_.back().iscsi_cmd; }

 private:
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

  CpuSet& cpus_;
  const KernelPaths& paths_;
  const KernelObjects& objects_;
  models::AddressSpace& memory_;
  const models::CodePathCatalog& catalog_;
  models::Addr user_ = 0;
  std::uint64_t user_bytes_ = 0;
  std::uint64_t map_cursor_ = 0;  // the buffer of the next raw I/O to map
  models::Addr mem_map_ = 0;      // the struct pages of the worker's buffers
  models::SlabCache* scsi_cmnds_;
  models::SlabCache* iscsi_cmds_;
  std::deque<BufferHeads> completed_;  // buffer_heads of completed I/Os, freed by the worker
  std::deque<Live> live_;              // commands issued and not yet completed, oldest first
};

}  // namespace iscsim::host::kernel
