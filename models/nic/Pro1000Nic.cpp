#include "models/nic/Pro1000Nic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace iscsim::models {

namespace {
constexpr long long kMaxDescriptorBytes = 256;
constexpr long long kMaxRingLimit = 1 << 20;
constexpr long long kMaxBufferBytes = 1 << 20;
constexpr double kPicosPerSecondD = 1e12;
constexpr double kPerMillion = 1e-6;
constexpr double kMaxToleranceppm = 1e4;  // 1%: far beyond any crystal, catches a unit typed wrong
}  // namespace

Pro1000Params Pro1000Params::from(const ParamSet& p) {
  Pro1000Params n;
  n.descriptor_bytes = static_cast<std::uint32_t>(p.integer("descriptor_bytes", 1, kMaxDescriptorBytes));
  n.ring_granularity = static_cast<std::uint32_t>(p.integer("ring_granularity_descriptors", 1, kMaxRingLimit));
  n.max_ring = static_cast<std::uint32_t>(p.integer("max_ring_descriptors", 1, kMaxRingLimit));
  n.delay_timer_unit = picos_from_nanos(p.number("delay_timer_unit_ns"));
  n.itr_unit = picos_from_nanos(p.number("itr_unit_ns"));
  n.rx_buffer_bytes = static_cast<std::uint32_t>(p.integer("rx_buffer_bytes", 1, kMaxBufferBytes));
  n.rx_descriptor_prefetch = static_cast<std::uint32_t>(p.integer("rx_descriptor_prefetch", 1, kMaxRingLimit));
  n.rx_min_threshold_divisor = static_cast<std::uint32_t>(p.integer("rx_min_threshold_divisor", 1, kMaxRingLimit));
  n.clock_tolerance_ppm = p.number("clock_tolerance_ppm");
  n.dma_writes_when_made = p.integer("dma_writes_when_made", 0, 1) == 1;
  if (n.clock_tolerance_ppm < 0 || n.clock_tolerance_ppm > kMaxToleranceppm)
    throw ParamError(p.origin() + ": clock_tolerance_ppm must lie in [0, " + std::to_string(kMaxToleranceppm) + "]");
  return n;
}

NicDriverSettings driver_moderation(const NicDriverSettings& rings, const ParamSet& driver, const Pro1000Params& nic) {
  constexpr double kDelayRegisterMax = 0xFFFF;  // RDTR/RADV/TIDV/TADV are 16-bit (8254x SDM 13.4)
  NicDriverSettings d = rings;
  d.itr_ints_per_s = driver.number("itr_ints_per_s");
  if (d.itr_ints_per_s < 0) throw ParamError(driver.origin() + ": itr_ints_per_s must be >= 0 (0: no throttle)");
  const double max_us = kDelayRegisterMax * static_cast<double>(nic.delay_timer_unit) / static_cast<double>(kPicosPerMicro);
  const auto delay = [&](const char* name) {
    const double us = driver.number(name);
    if (us < 0 || us > max_us)
      throw ParamError(driver.origin() + ": " + name + " must lie in [0, " + std::to_string(max_us) + "] us");
    return picos_from_micros(us);
  };
  d.rdtr = delay("rdtr_us");
  d.radv = delay("radv_us");
  d.tidv = delay("tidv_us");
  d.tadv = delay("tadv_us");
  driver.require_all_read();
  return d;
}

namespace {
void check_ring(const Pro1000Params& p, std::uint32_t n, const char* which) {
  if (n < p.ring_granularity || n > p.max_ring || n % p.ring_granularity != 0)
    throw ParamError(std::string("pro1000: ") + which + " ring of " + std::to_string(n) +
                     " descriptors: must be a multiple of " + std::to_string(p.ring_granularity) +
                     " in [" + std::to_string(p.ring_granularity) + ", " + std::to_string(p.max_ring) + "]");
}

// The hardware counts timers in whole register units.
Picos quantize(Picos t, Picos unit) { return unit > 0 ? (t + unit / 2) / unit * unit : t; }

// A timer of `t` nominal counted on a clock `ppm` fast lasts that much less.
Picos on_clock(Picos t, double ppm) {
  return ppm == 0 ? t : static_cast<Picos>(std::llround(static_cast<double>(t) / (1 + ppm * kPerMillion)));
}
}  // namespace

Pro1000Nic::Pro1000Nic(const Pro1000Params& params, const NicDriverSettings& settings, PciBus& pci,
                       MemoryBus& fsb, EthernetLinkDirection& tx_wire, double clock_offset_ppm)
    : params_(params), settings_(settings), pci_(pci), fsb_(fsb), wire_(tx_wire) {
  if (std::abs(clock_offset_ppm) > params_.clock_tolerance_ppm)
    throw ParamError("pro1000: clock offset " + std::to_string(clock_offset_ppm) + " ppm beyond the " +
                     std::to_string(params_.clock_tolerance_ppm) + " ppm tolerance");
  check_ring(params_, settings_.tx_ring, "TX");
  check_ring(params_, settings_.rx_ring, "RX");
  settings_.rdtr = quantize(settings_.rdtr, params_.delay_timer_unit);
  settings_.radv = quantize(settings_.radv, params_.delay_timer_unit);
  settings_.tidv = quantize(settings_.tidv, params_.delay_timer_unit);
  settings_.tadv = quantize(settings_.tadv, params_.delay_timer_unit);
  if (settings_.itr_ints_per_s > 0) {
    // ITR register = 1e9 / (256 ns x ints/s), truncated as the e1000 driver computes it.
    const double units = std::floor(kPicosPerSecondD / (static_cast<double>(params_.itr_unit) * settings_.itr_ints_per_s));
    itr_interval_ = static_cast<Picos>(units) * params_.itr_unit;
  }
  programmed_ = settings_;
  for (Picos* t : {&settings_.rdtr, &settings_.radv, &settings_.tidv, &settings_.tadv, &itr_interval_})
    *t = on_clock(*t, clock_offset_ppm);
  // One descriptor stays unused so that head == tail means empty (8254x SDM 3.2.6).
  tx_free_ = settings_.tx_ring - 1;
  rx_free_ = settings_.rx_ring - 1;
}

FrameTransit Pro1000Nic::transmit(Picos now, std::uint32_t frame_bytes, std::uint32_t descriptors) {
  tx_free_ -= descriptors;
  // Descriptor fetch (the frame's, in one read), then the data they point to; both cross PCI-X
  // and the FSB. The data is taken as one read whatever the buffers.
  const std::uint32_t fetch = descriptors * params_.descriptor_bytes;
  Picos t = pci_.dma_read(now, fetch);
  t = std::max(t, fsb_.transfer(now, fetch));
  Picos data = pci_.dma_read(t, frame_bytes);
  data = std::max(data, fsb_.transfer(t, frame_bytes));
  const FrameTransit transit = wire_.send(data, frame_bytes);
  // Status write-back (DD) once the frame is out.
  Picos done = pci_.dma_write(transit.end, params_.descriptor_bytes);
  done = std::max(done, fsb_.transfer(transit.end, params_.descriptor_bytes));
  // Completions are reported in ring order even if a write-back raced ahead.
  if (!tx_done_.empty()) done = std::max(done, tx_done_.back());
  tx_done_.push_back(done);
  tx_descriptors_.push_back(descriptors);
  add_tx_cause(done);
  ++counters_.tx_frames;
  counters_.tx_descriptors += descriptors;
  counters_.tx_bytes += frame_bytes;
  return transit;
}

std::uint32_t Pro1000Nic::clean_tx(Picos now) {
  std::uint32_t n = 0;
  while (!tx_done_.empty() && tx_done_.front() <= now) {
    tx_done_.pop_front();
    tx_free_ += tx_descriptors_.front();
    tx_descriptors_.pop_front();
    ++n;
  }
  return n;
}

Picos Pro1000Nic::receive(Picos arrival, std::uint32_t frame_bytes, std::uint64_t token) {
  if (rx_arrivals_++ % params_.rx_descriptor_prefetch == 0) {
    const std::uint32_t fetch = params_.rx_descriptor_prefetch * params_.descriptor_bytes;
    pci_.dma_read(arrival, fetch);
    fsb_.transfer(arrival, fetch);
  }
  Picos t = pci_.dma_write(arrival, frame_bytes);
  t = std::max(t, fsb_.transfer(arrival, frame_bytes));
  Picos landed = pci_.dma_write(t, params_.descriptor_bytes);
  landed = std::max(landed, fsb_.transfer(t, params_.descriptor_bytes));
  // Frames land in arrival order unless a booking found an earlier gap on a bus.
  auto at = rx_pending_.end();
  if (!rx_pending_.empty() && rx_pending_.back().at > landed)
    at = std::upper_bound(rx_pending_.begin(), rx_pending_.end(), landed,
                          [](Picos t, const Landing& l) { return t < l.at; });
  rx_pending_.insert(at, Landing{landed, token, frame_bytes});
  if (landed > causes_cleared_at_) ++rx_unsignalled_;
  return landed;
}

Pro1000Nic::RxCleaned Pro1000Nic::clean_rx(Picos now) {
  RxCleaned out;
  // One allocation for the frames a free descriptor takes, not one per doubling.
  const auto landed = std::upper_bound(rx_pending_.begin(), rx_pending_.end(), now,
                                       [](Picos t, const Landing& l) { return t < l.at; }) -
                      rx_pending_.begin();
  out.delivered.reserve(std::min<std::size_t>(static_cast<std::size_t>(landed), rx_free_));
  while (!rx_pending_.empty() && rx_pending_.front().at <= now) {
    const Landing& l = rx_pending_.front();
    if (rx_free_ > 0) {
      --rx_free_;
      out.delivered.push_back(l.token);
      ++counters_.rx_frames;
      counters_.rx_bytes += l.bytes;
    } else {
      out.dropped.push_back(l.token);
      ++counters_.rx_overruns;
    }
    if (l.at > causes_cleared_at_) --rx_unsignalled_;
    rx_pending_.pop_front();
  }
  return out;
}

void Pro1000Nic::refill_rx(std::uint32_t count) {
  rx_free_ = std::min(rx_free_ + count, settings_.rx_ring - 1);
}

template <class It, class Time>
std::optional<Picos> Pro1000Nic::delayed_cause(It first, It last, Time time_of, Picos delay, Picos absolute) {
  if (first == last) return std::nullopt;
  const Picos front = time_of(*first);
  if (delay == 0) return front;
  // The packet timer restarts on every event; the absolute timer bounds the wait from the first.
  Picos expiry = front + delay;
  for (++first; first != last && time_of(*first) < expiry; ++first) expiry = time_of(*first) + delay;
  if (absolute > 0) expiry = std::min(expiry, front + absolute);
  return expiry;
}

std::optional<Picos> Pro1000Nic::next_interrupt() const {
  // Only causes raised since the last interrupt count; both queues are in time order.
  std::optional<Picos> cause =
      delayed_cause(rx_pending_.end() - static_cast<std::ptrdiff_t>(rx_unsignalled_), rx_pending_.end(),
                    [](const Landing& l) { return l.at; }, settings_.rdtr, settings_.radv);
  // RXDMT0 asserts at once. Without an absolute timer or a throttle it is what ends a packet
  // timer that every frame of a continuous stream restarts (e1000 4.1.7's settings).
  if (const std::optional<Picos> threshold = rxdmt0_at()) cause = cause ? std::min(*cause, *threshold) : *threshold;
  if (tx_chain_.active) {
    Picos t = settings_.tidv == 0 ? tx_chain_.first : tx_chain_.expiry;
    if (settings_.tidv > 0 && settings_.tadv > 0) t = std::min(t, tx_chain_.first + settings_.tadv);
    cause = cause ? std::min(*cause, t) : t;
  }
  if (!cause) return std::nullopt;
  if (last_interrupt_ && itr_interval_ > 0) return std::max(*cause, *last_interrupt_ + itr_interval_);
  return cause;
}

std::optional<Picos> Pro1000Nic::rxdmt0_at() const {
  if (rx_unsignalled_ == 0) return std::nullopt;
  const std::uint32_t threshold = settings_.rx_ring / params_.rx_min_threshold_divisor;
  // Before the ring is cleaned, the k-th landing leaves rx_free_ - k descriptors free.
  const std::size_t reaching = rx_free_ > threshold ? rx_free_ - threshold - 1 : 0;
  const std::size_t at = std::max(reaching, rx_pending_.size() - rx_unsignalled_);
  if (at >= rx_pending_.size()) return std::nullopt;
  return rx_pending_[at].at;
}

void Pro1000Nic::add_tx_cause(Picos done) {
  DelayChain& c = tx_chain_;
  if (!c.active) {
    c = DelayChain{done, done + settings_.tidv, true, false};
  } else if (!c.closed) {
    // Same rule as delayed_cause(): an event before the expiry restarts the packet timer.
    if (done < c.expiry) {
      c.expiry = done + settings_.tidv;
    } else {
      c.closed = true;
    }
  }
}

void Pro1000Nic::take_interrupt(Picos now) {
  ++counters_.interrupts;
  if (const std::optional<Picos> threshold = rxdmt0_at(); threshold && *threshold <= now) ++counters_.rxdmt0_interrupts;
  last_interrupt_ = now;
  causes_cleared_at_ = now;
  rx_unsignalled_ = static_cast<std::size_t>(
      rx_pending_.end() - std::upper_bound(rx_pending_.begin(), rx_pending_.end(), now,
                                           [](Picos t, const Landing& l) { return t < l.at; }));
  // Completions still to come raise the cause again.
  tx_chain_ = DelayChain{};
  for (auto it = std::upper_bound(tx_done_.begin(), tx_done_.end(), now); it != tx_done_.end(); ++it)
    add_tx_cause(*it);
}

}  // namespace iscsim::models
