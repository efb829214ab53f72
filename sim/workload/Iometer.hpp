#pragma once
// An IOmeter dynamo-like load generator: workers, each keeping a fixed number of I/Os outstanding
// on its disk (an iSCSI session's LUN), sequential or random, reads or writes of one size. Every
// block read is checked against the stamp of its LBA and write generation; after the measured
// window a write workload reads back everything it wrote and checks it too.
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include "models/common/Time.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/stack/iscsi/InitiatorSession.hpp"
#include "sim/stack/scsi/BlockPattern.hpp"
#include "sim/workload/Generations.hpp"
#include "sim/world/IoTarget.hpp"

namespace iscsim::workload {

using world::IoTarget;

struct IometerConfig {
  scenario::IoOp op = scenario::IoOp::Read;
  std::uint32_t request_bytes = 0;
  int outstanding_per_worker = 0;
  int workers = 0;
  bool sequential = true;
  bool readback = true;
  models::Picos window_start = 0;
  models::Picos window_end = 0;
  std::uint64_t seed = 0;
};

struct DiskStats {
  std::uint64_t window_ios = 0;
  std::uint64_t window_bytes = 0;
  std::vector<std::uint32_t> window_latency_ns;
  std::uint64_t ios = 0;  // all completed, ramp-up and read-back included
  std::uint64_t readback_ios = 0;
  std::uint64_t verified_blocks = 0;
  std::uint64_t corrupt_blocks = 0;
  std::uint64_t io_errors = 0;  // a status other than GOOD, or an iSCSI response other than completed
};

class Iometer : public world::IoSink {
 public:
  Iometer(const IometerConfig& config, std::function<models::Picos()> now);

  std::size_t add_disk(std::uint64_t lun_blocks, std::uint64_t disk_id);
  // A way to reach the disk (an iSCSI session); a disk's workers spread over its paths.
  std::size_t add_path(std::size_t disk, IoTarget* target);
  // Gives each disk its workers and each worker its path and region; throws
  // std::invalid_argument when a region cannot hold one request.
  void plan();
  // IOmeter's preparation of the test file: what a read workload will find on the disk, as the
  // rule its LUN's store generates never-written blocks by (and codes stamped blocks by).
  std::shared_ptr<const stack::scsi::BlockPattern> prepare(std::size_t disk);

  void path_ready(std::size_t path) override;  // its session is in Full Feature Phase: its workers start
  void on_completion(stack::iscsi::ScsiCompletion& c) override;
  // Called once when the last read-back (or drain) completes.
  void set_on_finished(std::function<void()> f) { on_finished_ = std::move(f); }
  void end_window();  // no more measured I/Os; a write workload then reads back once drained
  bool finished() const { return phase_ == Phase::Done; }
  std::uint64_t in_flight() const { return ios_.size(); }

  const std::vector<DiskStats>& disks() const { return stats_; }
  const IometerConfig& config() const { return config_; }

 private:
  enum class Phase { Measure, Drain, Readback, Done };
  enum class Kind { Read, Write, Readback };
  struct Worker {
    std::size_t disk = 0;
    std::size_t path = 0;
    std::uint64_t first = 0;   // region, in blocks
    std::uint64_t blocks = 0;
    std::uint64_t cursor = 0;  // next sequential offset within the region
    std::uint64_t readback_cursor = 0;
    int in_flight = 0;
    std::mt19937_64 rng;
  };
  struct Disk {
    std::uint64_t blocks = 0;
    std::uint64_t id = 0;
    std::vector<std::size_t> paths;
    Generations generation;  // per 512-byte block
  };
  struct Path {
    std::size_t disk = 0;
    IoTarget* target = nullptr;
    bool ready = false;
  };
  struct Io {
    std::size_t worker = 0;
    std::uint64_t lba = 0;
    std::uint32_t blocks = 0;
    Kind kind = Kind::Read;
    models::Picos submitted = 0;
  };

  void fill(std::size_t worker);
  bool issue(std::size_t worker);
  void verify(std::size_t disk, const Io& io, const stack::iscsi::ScsiCompletion& c);
  void advance_phase();

  IometerConfig config_;
  std::function<models::Picos()> now_;
  std::vector<Disk> disk_;
  std::vector<Path> paths_;
  std::function<void()> on_finished_;
  std::vector<DiskStats> stats_;
  std::vector<Worker> workers_;
  std::unordered_map<std::uint64_t, Io> ios_;
  // Buffers of completed I/Os, their size kept: a write stamps over every byte, a read's session
  // zeroes it before the data lands.
  std::vector<std::vector<std::uint8_t>> spare_buffers_;
  std::vector<std::uint8_t> take_buffer();
  std::uint64_t next_tag_ = 1;
  Phase phase_ = Phase::Measure;
};

}  // namespace iscsim::workload
