#include "sim/workload/Iometer.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "sim/stack/scsi/Cdb.hpp"
#include "sim/workload/BlockStamp.hpp"
#include "sim/workload/StampPattern.hpp"

namespace iscsim::workload {

namespace {

using stack::iscsi::DataDirection;
using stack::iscsi::ScsiCompletion;
using stack::iscsi::ScsiRequest;

// READ(10)/WRITE(10) address 2^32 blocks; larger LUNs need the 16-byte CDBs.
constexpr std::uint64_t kCdb10MaxBlocks = std::uint64_t{1} << 32;
constexpr std::uint32_t kGood = 0x00;

}  // namespace

Iometer::Iometer(const IometerConfig& config, std::function<models::Picos()> now)
    : config_(config), now_(std::move(now)) {}

std::size_t Iometer::add_disk(std::uint64_t lun_blocks, std::uint64_t disk_id) {
  Disk d;
  d.blocks = lun_blocks;
  d.id = disk_id;
  disk_.push_back(std::move(d));
  stats_.emplace_back();
  return disk_.size() - 1;
}

std::size_t Iometer::add_path(std::size_t disk, IoTarget* target) {
  paths_.push_back(Path{disk, target, false});
  disk_[disk].paths.push_back(paths_.size() - 1);
  return paths_.size() - 1;
}

void Iometer::plan() {
  const std::uint64_t request_blocks = config_.request_bytes / kStampBlockBytes;
  std::vector<int> per_disk(disk_.size(), 0);
  for (int w = 0; w < config_.workers; ++w) ++per_disk[static_cast<std::size_t>(w) % disk_.size()];
  std::vector<int> placed(disk_.size(), 0);
  for (int w = 0; w < config_.workers; ++w) {
    Worker k;
    k.disk = static_cast<std::size_t>(w) % disk_.size();
    const std::vector<std::size_t>& paths = disk_[k.disk].paths;
    if (paths.empty()) throw std::invalid_argument("disk " + std::to_string(k.disk) + " has no path");
    k.path = paths[static_cast<std::size_t>(placed[k.disk]) % paths.size()];
    // Workers sharing a disk split it, as dynamo workers each get their own test region.
    const std::uint64_t share = disk_[k.disk].blocks / static_cast<std::uint64_t>(per_disk[k.disk]);
    k.first = share * static_cast<std::uint64_t>(placed[k.disk]++);
    k.blocks = share / request_blocks * request_blocks;
    if (k.blocks == 0)
      throw std::invalid_argument("workload.request_bytes (" + std::to_string(config_.request_bytes) +
                                  ") does not fit the region of worker " + std::to_string(w) + " (" +
                                  std::to_string(share * kStampBlockBytes) + " bytes of the LUN)");
    k.rng.seed(config_.seed + static_cast<std::uint64_t>(w));
    workers_.push_back(std::move(k));
  }
}

std::shared_ptr<const stack::scsi::BlockPattern> Iometer::prepare(std::size_t disk) {
  Disk& d = disk_[disk];
  std::vector<Extent> prepared;
  if (config_.op == scenario::IoOp::Read)
    for (const Worker& w : workers_)
      if (w.disk == disk) prepared.push_back(Extent{w.first, w.blocks});
  d.generation.set_prepared(prepared);
  return std::make_shared<StampPattern>(d.id, std::move(prepared));
}

void Iometer::path_ready(std::size_t path) {
  paths_[path].ready = true;
  for (std::size_t w = 0; w < workers_.size(); ++w)
    if (workers_[w].path == path) fill(w);
}

void Iometer::fill(std::size_t w) {
  while (workers_[w].in_flight < config_.outstanding_per_worker && issue(w)) {
  }
}

bool Iometer::issue(std::size_t wi) {
  Worker& w = workers_[wi];
  Disk& d = disk_[w.disk];
  if (!paths_[w.path].ready || phase_ == Phase::Drain || phase_ == Phase::Done) return false;
  const std::uint32_t request_blocks = config_.request_bytes / kStampBlockBytes;
  Io io;
  io.worker = wi;
  io.submitted = now_();
  if (phase_ == Phase::Readback) {
    if (w.readback_cursor >= w.blocks) return false;
    io.kind = Kind::Readback;
    io.lba = w.first + w.readback_cursor;
    io.blocks = static_cast<std::uint32_t>(std::min<std::uint64_t>(request_blocks, w.blocks - w.readback_cursor));
    w.readback_cursor += io.blocks;
  } else {
    io.kind = config_.op == scenario::IoOp::Write ? Kind::Write : Kind::Read;
    io.blocks = request_blocks;
    if (config_.sequential) {
      io.lba = w.first + w.cursor;
      w.cursor = (w.cursor + request_blocks) % w.blocks;
    } else {
      std::uniform_int_distribution<std::uint64_t> pick(0, w.blocks / request_blocks - 1);
      io.lba = w.first + pick(w.rng) * request_blocks;
    }
  }
  ScsiRequest r;
  r.tag = next_tag_++;
  r.transfer_length = io.blocks * kStampBlockBytes;
  const bool use16 = d.blocks > kCdb10MaxBlocks;
  if (io.kind == Kind::Write) {
    r.direction = DataDirection::Write;
    r.cdb = stack::scsi::write_cdb(io.lba, io.blocks, use16);
    r.write_data = take_buffer();
    r.write_data.resize(r.transfer_length);
    for (std::uint32_t i = 0; i < io.blocks; ++i) {
      const std::uint64_t lba = io.lba + i;
      stamp_block(StampKey{d.id, lba, d.generation.bump(lba)}, r.write_data.data() + std::size_t{i} * kStampBlockBytes);
    }
  } else {
    r.direction = DataDirection::Read;
    r.cdb = stack::scsi::read_cdb(io.lba, io.blocks, use16);
    r.read_buffer = take_buffer();
  }
  ios_.emplace(r.tag, io);
  ++w.in_flight;
  paths_[w.path].target->submit(std::move(r), wi);
  return true;
}

std::vector<std::uint8_t> Iometer::take_buffer() {
  if (spare_buffers_.empty()) return {};
  std::vector<std::uint8_t> b = std::move(spare_buffers_.back());
  spare_buffers_.pop_back();
  return b;
}

void Iometer::verify(std::size_t disk, const Io& io, const ScsiCompletion& c) {
  DiskStats& s = stats_[disk];
  const Disk& d = disk_[disk];
  for (std::uint32_t i = 0; i < io.blocks; ++i) {
    const std::size_t at = std::size_t{i} * kStampBlockBytes;
    const std::uint64_t lba = io.lba + i;
    const bool ok = at + kStampBlockBytes <= c.data.size() &&
                    block_matches(StampKey{d.id, lba, d.generation.get(lba)}, c.data.data() + at);
    ++(ok ? s.verified_blocks : s.corrupt_blocks);
  }
}

void Iometer::on_completion(ScsiCompletion& c) {
  const auto it = ios_.find(c.tag);
  if (it == ios_.end()) return;
  const Io io = it->second;
  ios_.erase(it);
  if (c.write_data.capacity() > 0) spare_buffers_.push_back(std::move(c.write_data));
  const std::size_t disk = workers_[io.worker].disk;
  DiskStats& s = stats_[disk];
  const models::Picos now = now_();
  ++s.ios;
  if (c.status != kGood || c.response != stack::iscsi::scsi_rsp::kCompleted) ++s.io_errors;
  if (io.kind != Kind::Write) {
    verify(disk, io, c);
    if (c.data.capacity() > 0) spare_buffers_.push_back(std::move(c.data));
  }
  if (io.kind == Kind::Readback) {
    ++s.readback_ios;
  } else if (now >= config_.window_start && now < config_.window_end) {
    ++s.window_ios;
    s.window_bytes += std::uint64_t{io.blocks} * kStampBlockBytes;
    // Saturates at 4.29 s (a reconnection's DefaultTime2Wait can push a few that far).
    const models::Picos ns = (now - io.submitted) / models::kPicosPerNano;
    s.window_latency_ns.push_back(static_cast<std::uint32_t>(std::min<models::Picos>(ns, UINT32_MAX)));
  }
  --workers_[io.worker].in_flight;
  fill(io.worker);
  advance_phase();
}

void Iometer::end_window() {
  if (phase_ == Phase::Measure) phase_ = Phase::Drain;
  advance_phase();
}

void Iometer::advance_phase() {
  if (phase_ != Phase::Drain && phase_ != Phase::Readback) return;
  if (!ios_.empty()) return;
  if (phase_ == Phase::Drain && config_.op == scenario::IoOp::Write && config_.readback) {
    phase_ = Phase::Readback;
    for (std::size_t w = 0; w < workers_.size(); ++w) fill(w);
    if (!ios_.empty()) return;
  }
  phase_ = Phase::Done;
  if (on_finished_) on_finished_();
}

}  // namespace iscsim::workload
