#pragma once
// One direction of a full-duplex Ethernet link: frames serialize FIFO at the line rate, each
// occupying preamble + frame (padded to the minimum, with FCS) + inter-frame gap, then propagate.
#include <cstdint>

#include "models/bus/DurationMemo.hpp"
#include "models/common/ParamSet.hpp"
#include "models/common/Time.hpp"

namespace iscsim::models {

struct EthernetFraming {
  std::uint32_t preamble_sfd_bytes = 0;
  std::uint32_t header_bytes = 0;
  std::uint32_t fcs_bytes = 0;
  std::uint32_t interframe_gap_bytes = 0;
  std::uint32_t min_frame_bytes = 0;  // header through FCS

  static EthernetFraming from(const ParamSet& p);
  // Bytes a frame occupies on the wire; `frame_bytes` is header + payload as the host builds it,
  // without FCS (padding to the minimum is applied here).
  std::uint32_t wire_bytes(std::uint32_t frame_bytes) const;
};

struct FrameTransit {
  Picos start = 0;    // first preamble bit leaves the sender
  Picos end = 0;      // last FCS bit leaves the sender
  Picos arrival = 0;  // last FCS bit reaches the receiver
};

class EthernetLinkDirection {
 public:
  EthernetLinkDirection(const EthernetFraming& framing, double bits_per_second, Picos latency);
  // A frame ready to go at `ready` waits for the frames before it, then serializes.
  FrameTransit send(Picos ready, std::uint32_t frame_bytes);
  const EthernetFraming& framing() const { return framing_; }
  double bits_per_second() const { return bits_per_second_; }
  Picos busy_total() const { return busy_total_; }
  std::uint64_t frames() const { return frames_; }

 private:
  EthernetFraming framing_;
  double bits_per_second_;
  Picos latency_;
  Picos gap_;                  // the interframe gap's time on the wire
  DurationMemo<> slots_;       // a frame size's time on the wire, gap included
  Picos free_at_ = 0;
  Picos busy_total_ = 0;
  std::uint64_t frames_ = 0;
};

}  // namespace iscsim::models
