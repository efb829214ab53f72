#pragma once
// dynamo's raw I/O through the Linux 2.4 block and SCSI layers, as every architecture whose host
// runs Linux does it: each worker's open raw device has a kiobuf (made by raw_open with its 1,024
// buffer_heads) through which its system call maps the user buffer (a reference on each struct
// page) and submits one buffer_head per raw sector (512 B in vanilla 2.4.18); the command is
// queued under io_request_lock, its scatter-gather table built (an entry per buffer_head) and
// handed to the iSCSI driver, which moves the data through that table; the completion side ends
// it under the same lock. The block and SCSI layers' work for each buffer_head is charged per
// buffer_head, so a kernel with larger raw sectors pays for fewer. Charged on the CPU its thread
// runs on.
#include <cstdint>
#include <cstddef>
#include <deque>
#include <map>

#include "models/memory/AddressSpace.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"

namespace iscsim::host::kernel {

// IOmeter's dynamo is one user process with a thread per worker: they share one address space.
inline constexpr int kDynamoProcess = 0;

class DynamoIo {
 public:
  // `user_buffer_bytes`: each worker's one I/O buffer (IOmeter: the largest transfer size), which
  // every I/O it has outstanding maps and fills (or sends from).
  DynamoIo(CpuSet& cpus, const KernelPaths& paths, const KernelObjects& objects, models::AddressSpace& memory,
           std::uint64_t user_buffer_bytes);

  // Worker `file` issues one I/O of `bytes` on `cpu`, up to and including iscsi_queuecommand.
  // Returns where its data sits in the worker's buffer.
  models::Addr issue(int cpu, std::size_t file, std::uint64_t bytes);
  // The oldest command completes on `cpu` (scsi_done under io_request_lock, its buffer_heads
  // ended); returns the worker whose I/O it was.
  std::size_t complete(int cpu);
  // Worker `file`'s system call returns from its ended I/O on `cpu`, where its thread woke:
  // brw_kiovec's wait_kio reads the buffer_heads' state and rw_raw_dev unmaps the buffer.
  void finish(int cpu, std::size_t file);
  // The next `bytes` a copy walks, in order, in the buffer of the oldest command in flight (a
  // session's commands move their data in turn).
  models::Addr data_span(std::uint64_t& cursor, std::uint64_t bytes);
  // The iSCSI command structure of the newest command (what a PDU being built touches), 0 if none.
  models::Addr newest_iscsi_cmd() const { return live_.empty() ? 0 : live_.back().iscsi_cmd; }
  // What moving a command's `bytes` of data at `data` in its buffer reads and writes: the
  // initiator's task for it (its ITT lookup and data counters), the line of its Scsi_Cmnd with
  // request_buffer and use_sg, and the scatter-gather entries that cover the data. Empty touches
  // when no command in flight holds `data`.
  struct Placement {
    models::Touch task, command, entries;
  };
  Placement placement(models::Addr data, std::uint64_t bytes) const;

 private:
  // A worker's open raw device and what its I/Os touch: its buffer and the buffer's struct
  // pages; its kiobuf's buffer_heads, and the kiobuf's arrays of their pointers and block numbers.
  struct RawFile {
    models::Addr user = 0;
    models::Addr mem_map = 0;
    models::Addr buffer_heads = 0;
    models::Addr kiobuf = 0;
    std::uint64_t map_cursor = 0;  // the buffer of the next raw I/O to map
    models::Addr ended_buffer = 0;  // its I/O ended and not yet returned from: what it mapped
    std::uint64_t ended_bytes = 0;
  };
  struct Live {
    models::Addr scsi_cmnd = 0;
    models::Addr iscsi_cmd = 0;
    models::Addr sg = 0;  // its scatter-gather table (0: not modelled)
    models::SlabCache* sg_pool = nullptr;
    std::uint64_t bytes = 0;
    std::size_t file = 0;
    models::Addr buffer = 0;  // the span of the worker's buffer it mapped
  };
  RawFile& file(std::size_t index);
  // The buffer_heads of an I/O of `bytes`: one per raw sector (512 B in vanilla 2.4.18).
  std::uint64_t sectors(std::uint64_t bytes) const;
  // The data one scatter-gather entry covers: a buffer_head's, or with clustering a page's.
  std::uint64_t sg_segment_bytes() const;
  // The entries of a command of `bytes`, in bytes.
  std::uint64_t sg_entries_bytes(std::uint64_t bytes) const;
  // scsi_malloc's pool of the tables of commands of `bytes` (sglist_len rounded to its chunks).
  models::SlabCache& sg_pool(std::uint64_t bytes);
  // The block and SCSI layers' shared state: io_request_lock's line (taken: a locked write), the
  // request queue's, and every line but the lock's (the queue and the busy counts).
  struct SharedLines {
    models::Touch lock, queue, rest;
  };
  // The struct pages of the span of `f`'s buffer at `buffer`, `bytes` long.
  models::Touch pages(const RawFile& f, models::Addr buffer, std::uint64_t bytes, bool locked) const;
  // The next `bytes` of `buffer` (user_bytes_ long) a walk takes from `cursor`, restarting at its
  // start where a span would wrap.
  models::Addr span(models::Addr buffer, std::uint64_t& cursor, std::uint64_t bytes) const;

  CpuSet& cpus_;
  const KernelPaths& paths_;
  const KernelObjects& objects_;
  models::AddressSpace& memory_;
  std::uint64_t user_bytes_ = 0;
  models::SlabCache* scsi_cmnds_;
  models::SlabCache* iscsi_cmds_;
  std::map<std::uint64_t, models::SlabCache*> sg_pools_;  // by table size
  std::map<std::size_t, RawFile> files_;  // by worker
  const RawFile* last_completed_ = nullptr;
  models::Addr session_buffer_ = 0;  // what copies walk before any I/O (the login's PDUs)
  SharedLines shared_;               // the block and SCSI layers' shared state; none: not modelled
  std::deque<Live> live_;  // commands issued and not yet completed, oldest first
};

}  // namespace iscsim::host::kernel
