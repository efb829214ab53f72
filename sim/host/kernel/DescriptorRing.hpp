#pragma once
// A NIC descriptor ring in host memory as a driver walks it: the next descriptor it posts to the
// NIC, the next it cleans, and the NIC's status write-backs (DMA), made when the NIC makes them:
// each makes its line stale in every cache, and a CPU with loads in flight on that line (the
// driver reading a neighbour in the same line) takes a memory-ordering clear. Also the driver's
// own record of the ring (e1000's next_to_use and next_to_clean), which posting and cleaning
// both write.
#include <algorithm>
#include <cstdint>

#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

class DescriptorRing {
 public:
  DescriptorRing() = default;
  DescriptorRing(models::Addr base, std::uint32_t entries, std::uint32_t descriptor_bytes, models::Addr indices = 0,
                 std::uint32_t indices_bytes = 0)
      : base_(base), entries_(entries), bytes_(descriptor_bytes), indices_(indices), indices_bytes_(indices_bytes) {}

  // A ring of `entries` descriptors in fresh memory, with the driver's record of it unless
  // `indices_bytes` is 0.
  static DescriptorRing allocate(models::AddressSpace& memory, std::uint32_t entries, std::uint32_t descriptor_bytes,
                                 std::uint32_t indices_bytes = 0) {
    return DescriptorRing(memory.region(std::uint64_t{entries} * descriptor_bytes), entries, descriptor_bytes,
                          indices_bytes > 0 ? memory.region(indices_bytes) : 0, indices_bytes);
  }

  // The driver fills the next descriptor and gives it to the NIC (a tail write follows).
  models::Touch post() { return {at(post_++), bytes_, true}; }
  // The driver's record of the ring, written by both (nothing without one).
  models::Touch indices() const { return {indices_, indices_ != 0 ? indices_bytes_ : 0, true}; }
  // A clean has made a write-back whose own event is still to come (at this same moment).
  bool written_early() const { return early_ > 0; }
  // The NIC writes the status of the next descriptor back to memory now (DMA).
  void write_back(models::CpuCostModel& cost, models::Picos now) {
    if (early_ > 0) {
      --early_;  // the driver cleaned it first, at the same moment: written then
      return;
    }
    cost.device_write(at(written_++), bytes_, now);
  }
  // The driver cleans the next `n` descriptors, whose statuses the NIC has written back: what it
  // reads (up to the ring's end; a wrapped remainder is read from the start). A write-back whose
  // own event has not yet run at this same moment is made now.
  models::Touch clean(models::CpuCostModel& cost, models::Picos now, std::uint32_t n = 1) {
    const models::Addr first = at(clean_);
    const std::uint64_t to_end = entries_ - clean_ % entries_;
    clean_ += n;
    for (; written_ < clean_; ++early_) cost.device_write(at(written_++), bytes_, now);
    return {first, std::min<std::uint64_t>(n, to_end) * bytes_, false};
  }

 private:
  models::Addr at(std::uint64_t n) const { return base_ + (n % entries_) * bytes_; }
  models::Addr base_ = 0;
  std::uint64_t entries_ = 1;
  std::uint32_t bytes_ = 0;
  models::Addr indices_ = 0;
  std::uint32_t indices_bytes_ = 0;
  std::uint64_t post_ = 0;
  std::uint64_t clean_ = 0;
  std::uint64_t written_ = 0;  // descriptors whose status the NIC has written back
  std::uint64_t early_ = 0;    // of them, written at a clean before their own write-back came
};

}  // namespace iscsim::host::kernel
