#pragma once
// A NIC's receive ring as the driver and the NIC share it: the buffers the driver posted, in ring
// order, their descriptors, and what the NIC has written into them by now. The NIC writes a frame
// and then its descriptor's status (DMA) when the frame lands, not when the driver cleans it: a
// CPU reading a neighbouring descriptor of the same line at that moment loses the line.
#include <cstdint>
#include <deque>

#include "models/cpu/CpuCostModel.hpp"
#include "sim/host/kernel/DescriptorRing.hpp"
#include "sim/host/kernel/Skb.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::kernel {

// The bytes of a received frame's headers (Ethernet, IP, and TCP with its options), where its
// payload starts; a frame whose headers do not parse is all headers.
inline std::uint32_t frame_header_bytes(const std::uint8_t* frame, std::size_t bytes) {
  stack::net::FrameHeaders headers;
  if (!stack::net::read_headers(frame, bytes, headers)) return static_cast<std::uint32_t>(bytes);
  return static_cast<std::uint32_t>(bytes - headers.payload_bytes);
}

class ReceiveRing {
 public:
  ReceiveRing() = default;
  ReceiveRing(DescriptorRing descriptors, std::uint32_t frame_offset)
      : descriptors_(descriptors), frame_offset_(frame_offset) {}
  // A ring of `entries` descriptors in fresh memory, with the driver's record of each unless
  // `record_bytes` is 0, its buffers still to be filled; the NIC writes each frame
  // `frame_offset` bytes into its buffer's data.
  static ReceiveRing allocate(models::AddressSpace& memory, std::uint32_t entries, std::uint32_t descriptor_bytes,
                              std::uint32_t record_bytes = 0, std::uint32_t frame_offset = 0) {
    return ReceiveRing(DescriptorRing::allocate(memory, entries, descriptor_bytes, 0, record_bytes), frame_offset);
  }

  // A buffer the ring starts with (the driver's set-up fills it; no path is charged for it).
  void fill(const Skb& skb) {
    posted_.push_back(skb);
    descriptors_.post();
  }
  // The driver gives the NIC `skb` (e1000_alloc_rx_buffers): the descriptor and the record it
  // writes. It stores the buffer's address and reads nothing of the descriptor, so a status the
  // NIC writes into the line meanwhile catches no load of it; the record it reads first (is its
  // sk_buff gone?).
  DescriptorRing::Slots post(const Skb& skb) {
    posted_.push_back(skb);
    DescriptorRing::Slots slot = descriptors_.post();
    slot.descriptors.stores_only = true;
    return slot;
  }

  // The NIC writes a frame of `bytes` into the next free buffer, then its descriptor's status, now.
  // Without a free buffer it drops the frame and writes nothing.
  void land(models::CpuCostModel& cost, models::Picos now, std::uint64_t bytes) {
    if (descriptors_.written_early()) {
      descriptors_.write_back(cost, now);  // the driver took it first, at this moment: written then
      return;
    }
    if (landed_ == posted_.size()) return;
    cost.device_write(posted_[landed_++].data + frame_offset_, bytes, now);
    descriptors_.write_back(cost, now);
  }

  // The driver takes the next frame, of `bytes` with `header_bytes` of headers
  // (e1000_clean_rx_irq): its buffer, its payload placed where the headers end, the descriptor
  // status it reads and its record. A landing whose own event has not yet run at this moment (or
  // never runs: a NIC whose writes the host sees at its clean) is written now.
  struct Taken {
    Skb skb;
    models::Touch descriptor;
    models::Touch record;  // read, and its sk_buff cleared
  };
  Taken take(models::CpuCostModel& cost, models::Picos now, std::uint64_t bytes, std::uint32_t header_bytes = 0) {
    Skb skb = posted_.front();
    posted_.pop_front();
    skb.payload = skb.data + frame_offset_ + header_bytes;
    if (landed_ > 0)
      --landed_;
    else
      cost.device_write(skb.data + frame_offset_, bytes, now);  // and the clean writes its descriptor
    const DescriptorRing::Slots slot = descriptors_.clean(cost, now);
    return {skb, slot.descriptors, slot.records};
  }

 private:
  DescriptorRing descriptors_;
  std::uint32_t frame_offset_ = 0;
  std::deque<Skb> posted_;
  std::size_t landed_ = 0;  // of posted_, from its front: buffers the NIC has written
};

}  // namespace iscsim::host::kernel
