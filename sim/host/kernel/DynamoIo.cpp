#include "sim/host/kernel/DynamoIo.hpp"

#include <string>

namespace iscsim::host::kernel {

DynamoIo::DynamoIo(CpuSet& cpus, const KernelPaths& paths, const KernelObjects& objects, models::AddressSpace& memory,
                   const models::CodePathCatalog& catalog, std::uint64_t user_buffer_bytes)
    : cpus_(cpus),
      paths_(paths),
      objects_(objects),
      memory_(memory),
      catalog_(catalog),
      user_bytes_(user_buffer_bytes),
      scsi_cmnds_(&memory.cache("scsi_cmnd", objects.scsi_cmnd_bytes)),
      iscsi_cmds_(&memory.cache("iscsi_cmd", objects.iscsi_cmd_bytes)) {
  user_ = memory.region(user_buffer_bytes);
  const std::uint64_t pages = (user_buffer_bytes + objects.page_bytes - 1) / objects.page_bytes;
  mem_map_ = memory.region(pages * objects.page_struct_bytes);
}

DynamoIo::BufferHeads DynamoIo::alloc_buffer_heads(std::uint64_t io_bytes) {
  const std::uint64_t sectors = (io_bytes + objects_.raw_sector_bytes - 1) / objects_.raw_sector_bytes;
  if (sectors == 0) return {};
  const auto bytes = static_cast<std::uint32_t>(sectors * objects_.buffer_head_bytes);
  models::SlabCache& cache = memory_.cache("buffer_head x" + std::to_string(sectors), bytes);
  return BufferHeads{&cache, cache.alloc(), bytes};
}

models::Addr DynamoIo::user_span(std::uint64_t& cursor, std::uint64_t bytes) {
  // Sequential I/O walks the worker's buffers in order; a span that would wrap restarts them.
  if (cursor % user_bytes_ + bytes > user_bytes_) cursor += user_bytes_ - cursor % user_bytes_;
  const models::Addr at = user_ + cursor % user_bytes_;
  cursor += bytes;
  return at;
}

models::Addr DynamoIo::issue(int cpu, std::uint64_t bytes) {
  const KernelPaths& p = paths_;
  cpus_.run(cpu, p.dynamo_io, 1, 0);
  cpus_.run(cpu, p.syscall, 1, 0);
  // map_user_kiobuf pins each page of the buffer: a write to its struct page.
  const KernelObjects& o = objects_;
  const models::Addr buffer = user_span(map_cursor_, bytes);
  const std::uint64_t first = (buffer - user_) / o.page_bytes;
  const std::uint64_t pages = (bytes + o.page_bytes - 1) / o.page_bytes;
  // brw_kiovec frees the buffer_heads of what completed and builds the new ones.
  BufferHeads old;
  if (!completed_.empty()) {
    old = completed_.front();
    completed_.pop_front();
  }
  const BufferHeads bhs = alloc_buffer_heads(bytes);
  cpus_.run(cpu, p.raw_io_map, 1, bytes,
            {{mem_map_ + first * o.page_struct_bytes, pages * o.page_struct_bytes, true},
             {bhs.addr, bhs.bytes, true},
             {old.addr, old.bytes, true}});
  // brw_kiovec submits each buffer_head to the block layer, which merges them into requests.
  const std::uint64_t sectors = (bytes + o.raw_sector_bytes - 1) / o.raw_sector_bytes;
  cpus_.run(cpu, p.submit_bh, static_cast<double>(sectors), 0, {{bhs.addr, bhs.bytes, true}});
  // brw_kiovec frees them as it returns: free for reuse once this piece is done.
  if (old.cache != nullptr) cpus_.defer(cpu, [old] { old.cache->free(old.addr); });
  const models::Addr sc = scsi_cmnds_->alloc();
  const models::Addr ic = iscsi_cmds_->alloc();
  live_.push_back(Live{sc, ic, bytes, bhs});
  cpus_.lock(cpu, catalog_[p.scsi_request].compute_cycles(1, static_cast<double>(bytes)));
  cpus_.run(cpu, p.scsi_request, 1, bytes, {{sc, o.scsi_cmnd_bytes, true}, {bhs.addr, bhs.bytes, false}});
  cpus_.run(cpu, p.iscsi_queuecommand, 1, 0, {{ic, o.iscsi_cmd_bytes, true}});
  return buffer;
}

void DynamoIo::complete(int cpu) {
  Live c;
  if (!live_.empty()) {
    c = live_.front();
    live_.pop_front();
  }
  cpus_.lock(cpu, catalog_[paths_.scsi_done].compute_cycles(1, static_cast<double>(c.bytes)));
  // end_that_request_first calls each buffer_head's b_end_io.
  cpus_.run(cpu, paths_.scsi_done, 1, c.bytes,
            {{c.scsi_cmnd, objects_.scsi_cmnd_bytes, true},
             {c.iscsi_cmd, objects_.iscsi_cmd_bytes, false},
             {c.bhs.addr, c.bhs.bytes, true}});
  // What the completion ends with is free for reuse (the worker frees the buffer_heads) once it
  // is done, not while it still runs.
  cpus_.defer(cpu, [this, c] {
    if (c.bhs.cache != nullptr) completed_.push_back(c.bhs);
    if (c.scsi_cmnd != 0) {
      scsi_cmnds_->free(c.scsi_cmnd);
      iscsi_cmds_->free(c.iscsi_cmd);
    }
  });
}

}  // namespace iscsim::host::kernel
