#include "sim/world/NicPort.hpp"

#include <utility>

#include "sim/stack/net/FrameCodec.hpp"
#include "sim/world/FramePool.hpp"

namespace iscsim::world {

namespace {
constexpr std::size_t kEthernetHeaderBytes = 14;  // IEEE 802.3: corruption targets the IP packet after it
constexpr std::size_t kIpTotalLengthOffset = kEthernetHeaderBytes + 2;  // RFC 791 Total Length field

std::size_t ip_packet_end(const Frame& f) {
  if (f.size() < kIpTotalLengthOffset + 2) return f.size();
  const std::size_t total = (std::size_t{f[kIpTotalLengthOffset]} << 8) | f[kIpTotalLengthOffset + 1];
  return kEthernetHeaderBytes + total;
}
}  // namespace

NicPort::NicPort(std::string name, Calendar& calendar, std::unique_ptr<models::Pro1000Nic> nic,
                 std::unique_ptr<models::EthernetLinkDirection> tx_wire, FaultInjector faults)
    : name_(std::move(name)),
      calendar_(calendar),
      nic_(std::move(nic)),
      wire_(std::move(tx_wire)),
      faults_(std::move(faults)) {}

bool NicPort::transmit(Frame& frame, std::uint32_t descriptors) {
  if (nic_->tx_free() < descriptors) return false;
  const models::FrameTransit transit =
      nic_->transmit(calendar_.now(), static_cast<std::uint32_t>(frame.size()), descriptors);
  if (tap_ != nullptr) tap_->frame_on_wire(transit.start, frame);
  if (peer_ != nullptr) {
    const Deliveries copies = faults_.decide();
    for (std::size_t i = 0; i < copies.size(); ++i) {
      const bool last = i + 1 == copies.size();
      Frame copy = last ? std::move(frame) : frame;
      if (copies[i].corrupt) faults_.corrupt(copy, kEthernetHeaderBytes, ip_packet_end(copy));
      if (copies[i].silent) corrupt_payload(copy);
      peer_->arrive(transit.arrival + copies[i].extra_delay, std::move(copy));
    }
  }
  // Scheduled before the interrupt or poll it may cause, so at a tie it is written first.
  if (dma_.tx_written_back) calendar_.schedule(nic_->last_tx_done(), [this] { dma_.tx_written_back(); });
  if (poller_)
    poller_(nic_->last_tx_done());
  else
    update_interrupt();
  if (timeline_) trace_tx();
  return true;
}

void NicPort::corrupt_payload(Frame& frame) {
  const stack::net::ParseResult parsed = stack::net::parse_frame(frame.data(), frame.size());
  if (!parsed.ok() || parsed.frame().segment.payload.empty()) return;
  stack::net::ParsedFrame f = parsed.frame();
  faults_.corrupt(f.segment.payload, 0, f.segment.payload.size());
  frame = stack::net::build_frame(f.addr, f.ip_id, f.segment);
}

void NicPort::arrive(Picos arrival, Frame frame) {
  const std::uint64_t token = first_token_ + in_flight_.size();
  const auto bytes = static_cast<std::uint32_t>(frame.size());
  const Picos landed = nic_->receive(arrival, bytes, token);
  in_flight_.push_back(std::move(frame));
  if (dma_.rx_landed) calendar_.schedule(landed, [this, bytes] { dma_.rx_landed(bytes); });
  if (timeline_) {
    rx_landings_.push(landed);
    trace_rx(0);
  }
  if (poller_)
    poller_(landed);
  else
    update_interrupt();
}

std::vector<Frame> NicPort::clean_rx() {
  std::vector<Frame> out;
  const models::Pro1000Nic::RxCleaned cleaned = nic_->clean_rx(calendar_.now());
  // A polled NIC takes no interrupt, so its buses settle here (else their history grows).
  nic_->settle(calendar_.now());
  out.reserve(cleaned.delivered.size());
  for (std::uint64_t token : cleaned.delivered) out.push_back(take_in_flight(token));
  for (std::uint64_t token : cleaned.dropped) recycle(take_in_flight(token));
  if (timeline_) trace_rx(cleaned.delivered.size() + cleaned.dropped.size());
  // The ideal driver refills at once; a costed driver will refill as its CPU gets to it.
  nic_->refill_rx(static_cast<std::uint32_t>(cleaned.delivered.size()));
  return out;
}

void NicPort::recycle(Frame&& frame) {
  if (frames_ != nullptr) frames_->give(std::move(frame));
}

Frame NicPort::take_in_flight(std::uint64_t token) {
  Frame frame = std::exchange(in_flight_[token - first_token_], Frame{});
  while (!in_flight_.empty() && in_flight_.front().empty()) {
    in_flight_.pop_front();
    ++first_token_;
  }
  return frame;
}

std::uint32_t NicPort::clean_tx() {
  const std::uint32_t reclaimed = nic_->clean_tx(calendar_.now());
  if (timeline_) trace_tx();
  return reclaimed;
}

void NicPort::trace_to(Timeline* timeline, TimelineTrack process, const std::string& label) {
  timeline_ = timeline;
  trace_track_ = process;
  tx_counter_ = label + " TX ring";
  rx_counter_ = label + " RX ring";
}

void NicPort::trace_tx() {
  const std::uint32_t in_use = nic_->settings().tx_ring - nic_->tx_free();
  timeline_->counter(trace_track_, calendar_.now(), tx_counter_, "descriptors in use", in_use);
}

void NicPort::trace_rx(std::size_t cleaned) {
  // Landings are known ahead (when the frame is booked): each is marked once its time has come.
  while (!rx_landings_.empty() && rx_landings_.top() <= calendar_.now()) {
    timeline_->counter(trace_track_, rx_landings_.top(), rx_counter_, "frames waiting",
                       static_cast<double>(++rx_waiting_));
    rx_landings_.pop();
  }
  if (cleaned == 0) return;
  rx_waiting_ -= static_cast<std::int64_t>(cleaned);
  timeline_->counter(trace_track_, calendar_.now(), rx_counter_, "frames waiting", static_cast<double>(rx_waiting_));
}

void NicPort::update_interrupt() {
  const auto at = nic_->next_interrupt();
  if (!at) return;
  // Lazy re-arming: keep the earliest pending event; a later one re-checks when it fires.
  if (interrupt_scheduled_ && interrupt_at_ <= *at) return;
  interrupt_scheduled_ = true;
  interrupt_at_ = *at;
  calendar_.schedule(*at, [this, at = *at] {
    if (!interrupt_scheduled_ || interrupt_at_ != at) return;  // superseded by an earlier event
    fire_interrupt();
  });
}

void NicPort::fire_interrupt() {
  interrupt_scheduled_ = false;
  const auto due = nic_->next_interrupt();
  if (!due) return;
  if (*due > calendar_.now()) {
    update_interrupt();
    return;
  }
  nic_->take_interrupt(calendar_.now());
  nic_->settle(calendar_.now());
  if (isr_) isr_();
  update_interrupt();
}

}  // namespace iscsim::world
