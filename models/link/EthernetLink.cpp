#include "models/link/EthernetLink.hpp"

#include <algorithm>

namespace iscsim::models {

namespace {
constexpr double kBitsPerByte = 8.0;
constexpr long long kMaxFramingBytes = 1 << 16;
}  // namespace

EthernetFraming EthernetFraming::from(const ParamSet& p) {
  EthernetFraming f;
  f.preamble_sfd_bytes = static_cast<std::uint32_t>(p.integer("preamble_sfd_bytes", 0, kMaxFramingBytes));
  f.header_bytes = static_cast<std::uint32_t>(p.integer("header_bytes", 0, kMaxFramingBytes));
  f.fcs_bytes = static_cast<std::uint32_t>(p.integer("fcs_bytes", 0, kMaxFramingBytes));
  f.interframe_gap_bytes = static_cast<std::uint32_t>(p.integer("interframe_gap_bytes", 0, kMaxFramingBytes));
  f.min_frame_bytes = static_cast<std::uint32_t>(p.integer("min_frame_bytes", 0, kMaxFramingBytes));
  return f;
}

std::uint32_t EthernetFraming::wire_bytes(std::uint32_t frame_bytes) const {
  return preamble_sfd_bytes + std::max(frame_bytes + fcs_bytes, min_frame_bytes) + interframe_gap_bytes;
}

EthernetLinkDirection::EthernetLinkDirection(const EthernetFraming& framing, double bits_per_second,
                                             Picos latency)
    : framing_(framing),
      bits_per_second_(bits_per_second),
      latency_(latency),
      gap_(transfer_picos(framing.interframe_gap_bytes * kBitsPerByte, bits_per_second)) {}

FrameTransit EthernetLinkDirection::send(Picos ready, std::uint32_t frame_bytes) {
  const Picos start = std::max(ready, free_at_);
  const Picos slot = slots_.get(frame_bytes, [this](std::uint32_t bytes) {
    return transfer_picos(framing_.wire_bytes(bytes) * kBitsPerByte, bits_per_second_);
  });
  free_at_ = start + slot;
  busy_total_ += slot;
  ++frames_;
  // The gap follows the frame: it delays the next frame but not this one's arrival.
  return FrameTransit{start, start + slot - gap_, start + slot - gap_ + latency_};
}

}  // namespace iscsim::models
