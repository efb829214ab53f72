#include "sim/host/kernel/DynamoIo.hpp"

#include <algorithm>
#include <string>

namespace iscsim::host::kernel {

DynamoIo::DynamoIo(CpuSet& cpus, const KernelPaths& paths, const KernelObjects& objects, models::AddressSpace& memory,
                   std::uint64_t user_buffer_bytes)
    : cpus_(cpus),
      paths_(paths),
      objects_(objects),
      memory_(memory),
      user_bytes_(user_buffer_bytes),
      scsi_cmnds_(&memory.cache("scsi_cmnd", objects.scsi_cmnd_bytes)),
      iscsi_cmds_(&memory.cache("iscsi_cmd", objects.iscsi_cmd_bytes)) {
  session_buffer_ = memory.region(user_buffer_bytes);
  if (objects.block_shared_bytes > 0) {
    const models::Addr at = memory.region(objects.block_shared_bytes);
    const std::uint64_t line = std::min<std::uint64_t>(memory.line_bytes(), objects.block_shared_bytes);
    const std::uint64_t rest = objects.block_shared_bytes - line;
    shared_ = {{at, line, true, true}, {at + line, std::min(line, rest), true}, {at + line, rest, true}};
  }
}

DynamoIo::RawFile& DynamoIo::file(std::size_t index) {
  const KernelObjects& o = objects_;
  if (const auto it = files_.find(index); it != files_.end()) return it->second;
  RawFile& f = files_[index];
  f.user = memory_.region(user_bytes_);
  const std::uint64_t pages = (user_bytes_ + o.page_bytes - 1) / o.page_bytes;
  f.mem_map = memory_.region(pages * o.page_struct_bytes);
  // raw_open's alloc_kiovec: the kiobuf and its KIO_MAX_SECTORS buffer_heads, for good.
  f.buffer_heads = memory_.region(std::uint64_t{o.kio_max_sectors} * o.buffer_head_bytes);
  f.kiobuf = memory_.region(std::uint64_t{o.kio_max_sectors} * o.kiobuf_sector_entry_bytes);
  return f;
}

std::uint64_t DynamoIo::sectors(std::uint64_t bytes) const {
  return (bytes + objects_.raw_sector_bytes - 1) / objects_.raw_sector_bytes;
}

std::uint64_t DynamoIo::sg_segment_bytes() const {
  return objects_.scatterlist_clustering ? objects_.page_bytes : objects_.raw_sector_bytes;
}

std::uint64_t DynamoIo::sg_entries_bytes(std::uint64_t bytes) const {
  return (bytes + sg_segment_bytes() - 1) / sg_segment_bytes() * objects_.scatterlist_entry_bytes;
}

models::SlabCache& DynamoIo::sg_pool(std::uint64_t bytes) {
  const std::uint64_t chunk = objects_.scatterlist_chunk_bytes;
  const std::uint64_t table = (sg_entries_bytes(bytes) + chunk - 1) / chunk * chunk;
  models::SlabCache*& pool = sg_pools_[table];
  if (pool == nullptr) pool = &memory_.cache("scsi_sglist_" + std::to_string(table), static_cast<std::uint32_t>(table));
  return *pool;
}

DynamoIo::Placement DynamoIo::placement(models::Addr data, std::uint64_t bytes) const {
  const auto holds = [data](const Live& c) { return data >= c.buffer && data < c.buffer + c.bytes; };
  const auto c = std::find_if(live_.begin(), live_.end(), holds);
  if (c == live_.end() || bytes == 0) return {};
  const std::uint64_t seg = sg_segment_bytes();
  const std::uint64_t first = (data - c->buffer) / seg;
  const std::uint64_t last = (std::min(data + bytes, c->buffer + c->bytes) - 1 - c->buffer) / seg;
  const std::uint64_t entry = objects_.scatterlist_entry_bytes;
  return {{c->iscsi_cmd, objects_.iscsi_cmd_bytes, true},
          {c->scsi_cmnd, memory_.line_bytes(), false},
          models::modelled(c->sg != 0 ? c->sg + first * entry : 0, (last - first + 1) * entry, false)};
}

models::Touch DynamoIo::pages(const RawFile& f, models::Addr buffer, std::uint64_t bytes, bool locked) const {
  const KernelObjects& o = objects_;
  const std::uint64_t first = (buffer - f.user) / o.page_bytes;
  const std::uint64_t count = (bytes + o.page_bytes - 1) / o.page_bytes;
  return {f.mem_map + first * o.page_struct_bytes, count * o.page_struct_bytes, true, locked};
}

models::Addr DynamoIo::span(models::Addr buffer, std::uint64_t& cursor, std::uint64_t bytes) const {
  // Sequential I/O walks the worker's buffer in order; a span that would wrap restarts it.
  if (cursor % user_bytes_ + bytes > user_bytes_) cursor += user_bytes_ - cursor % user_bytes_;
  const models::Addr at = buffer + cursor % user_bytes_;
  cursor += bytes;
  return at;
}

models::Addr DynamoIo::data_span(std::uint64_t& cursor, std::uint64_t bytes) {
  if (!live_.empty()) return span(file(live_.front().file).user, cursor, bytes);
  return span(last_completed_ != nullptr ? last_completed_->user : session_buffer_, cursor, bytes);
}

models::Addr DynamoIo::issue(int cpu, std::size_t index, std::uint64_t bytes) {
  const KernelPaths& p = paths_;
  const KernelObjects& o = objects_;
  RawFile& f = file(index);
  cpus_.run(cpu, p.syscall, 1, 0);
  // map_user_kiobuf pins each page of the buffer: a write to its struct page.
  const models::Addr buffer = span(f.user, f.map_cursor, bytes);
  // rw_raw_dev fills the kiobuf's block numbers; brw_kiovec reads its buffer_head pointers and
  // sets up one buffer_head per sector.
  const std::uint64_t n = sectors(bytes);
  const std::uint64_t bh_bytes = n * o.buffer_head_bytes;
  cpus_.run(cpu, p.raw_io_map, 1, bytes,
            {pages(f, buffer, bytes, false),
             {f.kiobuf, n * o.kiobuf_sector_entry_bytes, true},
             {f.buffer_heads, bh_bytes, true}});
  // brw_kiovec submits each buffer_head to the block layer, which merges them into requests:
  // __make_request takes io_request_lock for each and links it into the queue's last request.
  cpus_.lock(cpu);
  cpus_.run(cpu, p.submit_bh, static_cast<double>(n), 0,
            {{f.buffer_heads, bh_bytes, true}, shared_.lock, shared_.queue});
  cpus_.unlock(cpu, static_cast<double>(n), objects_.io_request_lock.submit_bh);
  const models::Addr sc = scsi_cmnds_->alloc();
  const models::Addr ic = iscsi_cmds_->alloc();
  // __init_io's table: scsi_malloc'd, cleared whole (memset's rep stosl), then an entry filled per
  // segment.
  models::SlabCache* pool = o.scatterlist_entry_bytes > 0 ? &sg_pool(bytes) : nullptr;
  const models::Addr sg = pool != nullptr ? pool->alloc() : 0;
  const std::uint64_t table = pool != nullptr ? pool->object_bytes() : 0;
  const std::uint64_t entries = sg_entries_bytes(bytes);
  live_.push_back(Live{sc, ic, sg, pool, bytes, index, buffer});
  // The request function holds io_request_lock while it builds the command and maps each of its
  // buffer_heads into the scatter-gather list; scsi_dispatch_cmd takes it again around the
  // host's queuecommand (the moment between is not modelled).
  cpus_.lock(cpu);
  // It dequeues the request and counts the command in the host's host_busy and the device's
  // device_busy.
  cpus_.run(cpu, p.scsi_request, 1, bytes,
            {{sc, o.scsi_cmnd_bytes, true}, models::stored(sg, table), shared_.lock, shared_.rest});
  cpus_.run(cpu, p.scsi_map_bh, static_cast<double>(n), 0,
            {{f.buffer_heads, bh_bytes, false}, models::modelled(sg, entries, true)});
  cpus_.run(cpu, p.iscsi_queuecommand, 1, 0, {{ic, o.iscsi_cmd_bytes, true}});
  cpus_.unlock(cpu, 1, o.io_request_lock.request);
  return buffer;
}

std::size_t DynamoIo::complete(int cpu) {
  Live c;
  if (!live_.empty()) {
    c = live_.front();
    live_.pop_front();
  }
  const KernelObjects& o = objects_;
  RawFile& f = file(c.file);
  last_completed_ = &f;
  f.ended_buffer = c.buffer;
  f.ended_bytes = c.bytes;
  // The completion holds io_request_lock for part of its way (the driver's call of scsi_done,
  // scsi_finish_command, scsi_queue_next_request); __scsi_end_request calls each buffer_head's
  // b_end_io (end_buffer_io_kiobuf) without it.
  const std::uint64_t n = sectors(c.bytes);
  // scsi_finish_command takes the counts back and scsi_queue_next_request looks at the queue,
  // under the lock: every line of the shared state.
  cpus_.lock(cpu);
  cpus_.run(cpu, paths_.scsi_done, 1, c.bytes,
            {{c.scsi_cmnd, o.scsi_cmnd_bytes, true}, {c.iscsi_cmd, o.iscsi_cmd_bytes, false}, shared_.lock, shared_.rest});
  cpus_.unlock(cpu, 1, o.io_request_lock.scsi_done);
  cpus_.run(cpu, paths_.end_buffer_io, static_cast<double>(n), 0, {{f.buffer_heads, n * o.buffer_head_bytes, true}});
  // What the completion ends with is free for reuse once it is done, not while it still runs.
  if (c.scsi_cmnd != 0)
    cpus_.defer(cpu, [this, c] {
      scsi_cmnds_->free(c.scsi_cmnd);
      iscsi_cmds_->free(c.iscsi_cmd);
      if (c.sg_pool != nullptr) c.sg_pool->free(c.sg);
    });
  return c.file;
}

void DynamoIo::finish(int cpu, std::size_t index) {
  RawFile& f = file(index);
  if (f.ended_bytes == 0) return;
  // wait_kio reads each buffer_head's state, which the completion wrote on whichever CPU ran it;
  // unmap_kiobuf drops each page's reference (put_page_testzero) and, for a read,
  // mark_dirty_kiobuf sets each page's dirty bit: locked operations on the struct pages only.
  const std::uint64_t n = sectors(f.ended_bytes);
  cpus_.run(cpu, paths_.wait_kio, static_cast<double>(n), 0, {{f.buffer_heads, n * objects_.buffer_head_bytes, false}});
  cpus_.run(cpu, paths_.raw_io_unmap, 1, f.ended_bytes, {pages(f, f.ended_buffer, f.ended_bytes, true)});
  f.ended_bytes = 0;
}

}  // namespace iscsim::host::kernel
