#pragma once
// The Intel PRO/1000 (8254x) as the host sees it: TX/RX descriptor rings, descriptor and payload
// DMA across the PCI-X segment and the front-side bus, and the interrupt moderation logic (ITR
// throttle, RDTR/RADV and TIDV/TADV delay timers, the receive descriptor minimum threshold).
// Frames are opaque tokens: no protocol here.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "models/link/EthernetLink.hpp"

namespace iscsim::models {

struct Pro1000Params {
  std::uint32_t descriptor_bytes = 0;
  std::uint32_t ring_granularity = 0;
  std::uint32_t max_ring = 0;
  Picos delay_timer_unit = 0;
  Picos itr_unit = 0;
  std::uint32_t rx_buffer_bytes = 0;
  std::uint32_t rx_descriptor_prefetch = 0;
  std::uint32_t rx_min_threshold_divisor = 0;  // RCTL.RDMTS: RXDMT0 at ring / this free
  double clock_tolerance_ppm = 0;  // how far a NIC's own clock may run from nominal, either way
  bool dma_writes_when_made = true;  // false: a host sees them when its driver cleans (ablation)
  static Pro1000Params from(const ParamSet& p);
};

// What the driver programs (e1000 module parameters), in time units rather than register units.
struct NicDriverSettings {
  std::uint32_t tx_ring = 0;
  std::uint32_t rx_ring = 0;
  double itr_ints_per_s = 0;  // 0: no throttle
  Picos rdtr = 0;
  Picos radv = 0;
  Picos tidv = 0;
  Picos tadv = 0;
};

// The interrupt moderation a driver's parameter set (models/params/driver/) programs, with the
// ring sizes of `rings`; its delays are checked against the 16-bit timer registers.
NicDriverSettings driver_moderation(const NicDriverSettings& rings, const ParamSet& driver, const Pro1000Params& nic);

struct NicCounters {
  std::uint64_t interrupts = 0;
  std::uint64_t rxdmt0_interrupts = 0;  // of them, those the receive descriptor threshold had raised
  std::uint64_t tx_frames = 0;
  std::uint64_t tx_descriptors = 0;  // the frames' descriptors, contexts included
  std::uint64_t tx_bytes = 0;
  std::uint64_t rx_frames = 0;  // delivered to the ring
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_overruns = 0;  // dropped: no free receive descriptor (RNBC/MPC)
};

class Pro1000Nic {
 public:
  // `clock_offset_ppm`: how fast this NIC's clock runs against nominal (within the tolerance);
  // its interrupt throttle and delay timers count on it, so two NICs' interrupts drift apart.
  Pro1000Nic(const Pro1000Params& params, const NicDriverSettings& settings, PciBus& pci, MemoryBus& fsb,
             EthernetLinkDirection& tx_wire, double clock_offset_ppm = 0);

  // Transmit descriptors the driver may still post.
  std::uint32_t tx_free() const { return tx_free_; }
  // The driver posts one frame in `descriptors` descriptors at `now` (one, or a checksum context
  // and one for each buffer); the NIC fetches them and the data across PCI-X and the FSB, then
  // serializes the frame. The caller must check tx_free() first.
  FrameTransit transmit(Picos now, std::uint32_t frame_bytes, std::uint32_t descriptors = 1);
  // e1000_clean_tx_irq: reclaims the descriptors of frames completed by `now`; returns how many
  // frames.
  std::uint32_t clean_tx(Picos now);

  // A frame reaches the NIC from the wire at `arrival`; its DMA into host memory is booked now.
  // Returns when its descriptor is written back: when a driver polling the ring can see it.
  Picos receive(Picos arrival, std::uint32_t frame_bytes, std::uint64_t token);
  // When the status of the frame last posted is written back (ring order).
  Picos last_tx_done() const { return tx_done_.empty() ? 0 : tx_done_.back(); }
  // e1000_clean_rx_irq: frames whose descriptors were written back by `now`, in landing order.
  // Frames that found no free descriptor are dropped and counted as overruns.
  struct RxCleaned {
    std::vector<std::uint64_t> delivered;
    std::vector<std::uint64_t> dropped;
  };
  RxCleaned clean_rx(Picos now);
  // Whether a clean at `now` would find anything: a frame landed or a sent frame's status written
  // back (what e1000_clean_rx_irq and e1000_clean_tx_irq look at: the descriptors, not ICR).
  bool cleanable(Picos now) const {
    return (!rx_pending_.empty() && rx_pending_.front().at <= now) || (!tx_done_.empty() && tx_done_.front() <= now);
  }
  // e1000_alloc_rx_buffers: gives `count` descriptors back to the NIC.
  void refill_rx(std::uint32_t count);
  std::uint32_t rx_free() const { return rx_free_; }

  // When the interrupt line next asserts, given everything booked so far; nothing if no cause.
  std::optional<Picos> next_interrupt() const;
  // The interrupt was delivered and the driver read ICR at `now`, clearing the causes.
  void take_interrupt(Picos now);
  // Nothing will be booked on the buses before `now` any more: let them drop settled history.
  void settle(Picos now) {
    pci_.forget_before(now);
    fsb_.forget_before(now);
  }

  const NicCounters& counters() const { return counters_; }
  // The timers as this NIC's clock counts them.
  const NicDriverSettings& settings() const { return settings_; }
  // The driver's settings as the registers hold them (whole timer units, on the nominal clock).
  const NicDriverSettings& programmed() const { return programmed_; }
  const Pro1000Params& params() const { return params_; }

 private:
  struct Landing {
    Picos at;  // when its descriptor is written back
    std::uint64_t token;
    std::uint32_t bytes;
  };
  // When a delayed interrupt cause fires for events at the times [first, last) (ascending).
  template <class It, class Time>
  static std::optional<Picos> delayed_cause(It first, It last, Time time_of, Picos delay, Picos absolute);

  Pro1000Params params_;
  NicDriverSettings settings_;
  NicDriverSettings programmed_;
  PciBus& pci_;
  MemoryBus& fsb_;
  EthernetLinkDirection& wire_;
  Picos itr_interval_ = 0;

  std::uint32_t tx_free_ = 0;
  std::deque<Picos> tx_done_;                 // completion times of posted frames, FIFO
  std::deque<std::uint32_t> tx_descriptors_;  // and the descriptors each took
  std::deque<Landing> rx_pending_;            // by landing time, ties in arrival order
  // How many of rx_pending_, at its end, landed after causes_cleared_at_: the frames that raise
  // the receive cause, kept so that next_interrupt() need not search for them.
  std::size_t rx_unsignalled_ = 0;
  std::uint32_t rx_free_ = 0;
  std::uint64_t rx_arrivals_ = 0;

  std::optional<Picos> last_interrupt_;
  Picos causes_cleared_at_ = 0;  // ICR read: events at or before this are signalled
  // The transmit cause since the last ICR read, kept as completions are booked (they come in
  // time order): when the first one happened and when the TIDV/TADV pair expires for them.
  struct DelayChain {
    Picos first = 0;
    Picos expiry = 0;  // packet timer, restarted by each event that comes before it expires
    bool active = false;
    bool closed = false;  // an event came after the timer expired: later events cannot move it
  };
  void add_tx_cause(Picos done);
  // When RXDMT0 asserts for the frames not yet signalled: the landing that leaves no more than
  // RCTL.RDMTS's share of the ring free; nothing if none does.
  std::optional<Picos> rxdmt0_at() const;
  DelayChain tx_chain_;
  NicCounters counters_;
};

}  // namespace iscsim::models
