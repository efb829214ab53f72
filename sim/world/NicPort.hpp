#pragma once
// A NIC in the simulated world: the Pro/1000 model bound to its wire, the frames it carries, and
// its interrupt line on the calendar. The driver above it (ideal, SMP, AMP) decides what runs
// when the line asserts.
#include <cstdint>
#include <functional>
#include <memory>
#include <deque>
#include <queue>
#include <string>
#include <vector>

#include "models/nic/Pro1000Nic.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/FaultInjector.hpp"
#include "sim/world/Timeline.hpp"

namespace iscsim::world {

using Frame = std::vector<std::uint8_t>;
class FramePool;

// Something that sees every frame put on a wire (the pcap writer), at the time it starts.
class WireTap {
 public:
  virtual ~WireTap() = default;
  virtual void frame_on_wire(Picos start, const Frame& frame) = 0;
};

class NicPort {
 public:
  NicPort(std::string name, Calendar& calendar, std::unique_ptr<models::Pro1000Nic> nic,
          std::unique_ptr<models::EthernetLinkDirection> tx_wire, FaultInjector faults);

  // Wiring: frames this port sends arrive at `peer`.
  void connect(NicPort* peer) { peer_ = peer; }
  void set_tap(WireTap* tap) { tap_ = tap; }
  // Frames dropped here and those the driver recycles go back to `pool`.
  void use_frames(FramePool* pool) { frames_ = pool; }
  // Reports its rings to `timeline` as counters of `process` named after `label` ("nic0").
  void trace_to(Timeline* timeline, TimelineTrack process, const std::string& label);
  // The driver's interrupt service routine, run by the calendar when the line asserts.
  void set_interrupt_handler(std::function<void()> isr) { isr_ = std::move(isr); }
  // A polling driver instead (interrupts masked): told, when a frame is posted or lands, at what
  // time its descriptor's write-back makes it visible in the ring.
  void set_poller(std::function<void(Picos visible_at)> poller) { poller_ = std::move(poller); }
  // The NIC's writes into host memory, told when they happen (a costed host's caches see them
  // then): a received frame of `frame_bytes` with its descriptor's status; a sent frame's status.
  // Never told when the NIC's parameters say the host sees them at its driver's clean instead.
  struct DmaWrites {
    std::function<void(std::uint32_t frame_bytes)> rx_landed;
    std::function<void()> tx_written_back;
  };
  void set_dma_writes(DmaWrites writes) {
    if (nic_->params().dma_writes_when_made) dma_ = std::move(writes);
  }

  // Posts a frame to the TX ring now in `descriptors` descriptors; false (frame untouched) when
  // the ring has not that many free.
  bool transmit(Frame& frame, std::uint32_t descriptors = 1);
  // Frames whose receive DMA completed by now, in order; their descriptors are refilled.
  std::vector<Frame> clean_rx();
  // A received frame the driver has parsed and no longer needs: its buffer builds a later frame.
  void recycle(Frame&& frame);
  // Reclaims completed TX descriptors; returns how many.
  std::uint32_t clean_tx();
  // Whether the driver's clean would find anything now.
  bool cleanable() const { return nic_->cleanable(calendar_.now()); }
  std::uint32_t tx_free() const { return nic_->tx_free(); }

  const std::string& name() const { return name_; }
  const models::Pro1000Nic& nic() const { return *nic_; }
  const FaultCounters& faults() const { return faults_.counters(); }
  // Call after anything that may move the interrupt line's next assertion.
  void update_interrupt();

 private:
  void corrupt_payload(Frame& frame);
  void arrive(Picos arrival, Frame frame);
  Frame take_in_flight(std::uint64_t token);
  void fire_interrupt();
  // Timeline: TX descriptors the driver has in use; RX frames written back and not yet cleaned
  // (`cleaned` just were), marked at the times their descriptors were written back.
  void trace_tx();
  void trace_rx(std::size_t cleaned);

  std::string name_;
  Calendar& calendar_;
  std::unique_ptr<models::Pro1000Nic> nic_;
  std::unique_ptr<models::EthernetLinkDirection> wire_;
  FaultInjector faults_;
  NicPort* peer_ = nullptr;
  WireTap* tap_ = nullptr;
  FramePool* frames_ = nullptr;
  std::function<void()> isr_;
  std::function<void(Picos)> poller_;
  DmaWrites dma_;
  // Frames on their way into the ring by token, from first_token_ on (an empty slot was taken):
  // the NIC hands tokens back in about arrival order, so the front empties as it goes.
  std::deque<Frame> in_flight_;
  std::uint64_t first_token_ = 0;
  bool interrupt_scheduled_ = false;
  Picos interrupt_at_ = 0;
  Timeline* timeline_ = nullptr;
  TimelineTrack trace_track_;
  std::string tx_counter_, rx_counter_;
  std::priority_queue<Picos, std::vector<Picos>, std::greater<>> rx_landings_;  // not yet counted
  std::int64_t rx_waiting_ = 0;
};

}  // namespace iscsim::world
