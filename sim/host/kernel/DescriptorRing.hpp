#pragma once
// A NIC descriptor ring in host memory as a driver walks it: the next descriptor it posts to the
// NIC, the next it cleans, and the NIC's status write-backs (DMA), made when the NIC makes them:
// each makes its line stale in every cache, and a CPU with loads in flight on that line (the
// driver reading a neighbour in the same line) takes a memory-ordering clear. Also the driver's
// own record of the ring (e1000's next_to_use and next_to_clean), which posting and cleaning
// both write, and its record of each descriptor (e1000's buffer_info: the sk_buff, its DMA
// address and length), an array beside the ring that posting fills in and cleaning clears. A
// frame may take several descriptors (a checksum context and one for each buffer): the NIC writes
// back the status of its last one only, as e1000 asks it to (RS on the end of packet).
#include <algorithm>
#include <cstdint>
#include <deque>

#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

class DescriptorRing {
 public:
  // What the driver's walk touches of some consecutive slots: their descriptors, and its record
  // of each (no bytes without records).
  struct Slots {
    models::Touch descriptors;
    models::Touch records;
  };

  DescriptorRing() = default;

  // A ring of `entries` descriptors in fresh memory, with the driver's record of the ring unless
  // `indices_bytes` is 0 and its record of each descriptor unless `record_bytes` is 0.
  static DescriptorRing allocate(models::AddressSpace& memory, std::uint32_t entries, std::uint32_t descriptor_bytes,
                                 std::uint32_t indices_bytes = 0, std::uint32_t record_bytes = 0) {
    DescriptorRing r;
    r.base_ = memory.region(std::uint64_t{entries} * descriptor_bytes);
    r.entries_ = entries;
    r.bytes_ = descriptor_bytes;
    if (indices_bytes > 0) r.indices_ = memory.region(indices_bytes);
    r.indices_bytes_ = indices_bytes;
    if (record_bytes > 0) r.records_ = memory.region(std::uint64_t{entries} * record_bytes);
    r.record_bytes_ = record_bytes;
    return r;
  }

  // The driver fills the next `n` descriptors, one frame's, and their records, and gives them to
  // the NIC (a tail write follows).
  Slots post(std::uint32_t n = 1) {
    const Slots posted = slots(post_, n, true);
    post_ += n;
    frames_.push_back(n);
    return posted;
  }
  // The driver's record of the ring, written by both (nothing without one).
  models::Touch indices() const { return {indices_, indices_ != 0 ? indices_bytes_ : 0, true}; }
  // A clean has made a write-back whose own event is still to come (at this same moment).
  bool written_early() const { return early_ > 0; }
  // The NIC writes the status of the next frame back to memory now (DMA).
  void write_back(models::CpuCostModel& cost, models::Picos now) {
    if (early_ > 0) {
      --early_;  // the driver cleaned it first, at the same moment: written then
      return;
    }
    write_next(cost, now);
  }
  // The driver cleans the next `frames` frames, whose statuses the NIC has written back: it reads
  // their descriptors and clears their records (up to the ring's end; a wrapped remainder is left
  // out). A write-back whose own event has not yet run at this same moment is made now.
  Slots clean(models::CpuCostModel& cost, models::Picos now, std::uint32_t frames = 1) {
    std::uint64_t n = 0;
    for (std::uint32_t f = 0; f < frames; ++f) {
      if (written_ahead_ == 0) {
        write_next(cost, now);
        ++early_;
      }
      --written_ahead_;
      n += frames_.front();
      frames_.pop_front();
    }
    const Slots cleaned = slots(clean_, n, false);
    clean_ += n;
    return cleaned;
  }

 private:
  models::Addr at(std::uint64_t n) const { return base_ + (n % entries_) * bytes_; }
  // The next frame's status write-back, on its last descriptor.
  void write_next(models::CpuCostModel& cost, models::Picos now) {
    const std::uint32_t n = frames_.at(written_ahead_++);
    cost.device_write(at(written_ + n - 1), bytes_, now);
    written_ += n;
  }
  // `n` slots from position `first`, to the ring's end at most; the records are written either way.
  Slots slots(std::uint64_t first, std::uint64_t n, bool write_descriptors) const {
    const std::uint64_t i = first % entries_;
    const std::uint64_t count = std::min<std::uint64_t>(n, entries_ - i);
    const models::Touch records =
        records_ != 0 ? models::Touch{records_ + i * record_bytes_, count * record_bytes_, true} : models::Touch{};
    return {{base_ + i * bytes_, count * bytes_, write_descriptors}, records};
  }
  models::Addr base_ = 0;
  std::uint64_t entries_ = 1;
  std::uint32_t bytes_ = 0;
  models::Addr indices_ = 0;
  std::uint32_t indices_bytes_ = 0;
  models::Addr records_ = 0;
  std::uint32_t record_bytes_ = 0;
  std::uint64_t post_ = 0;
  std::uint64_t clean_ = 0;
  std::uint64_t written_ = 0;  // descriptors whose frame's status the NIC has written back
  std::uint64_t early_ = 0;    // frames written at a clean before their own write-back came
  std::deque<std::uint32_t> frames_;  // descriptors of each frame posted and not yet cleaned
  std::size_t written_ahead_ = 0;     // of frames_, from its front: those written back
};

}  // namespace iscsim::host::kernel
