#pragma once
// A NIC's transmit side as a kernel driver feeds it: frames in the order TCP produced them, each
// leaving once the work that sent it has finished (the socket lock keeps a connection's segments
// in order whichever CPU sends them), then through the qdisc onto the TX ring as it has room.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>

#include "sim/world/NicPort.hpp"

namespace iscsim::host::kernel {

class TxQueue {
 public:
  // A frame's place in the queue. 32 bits: tickets are compared only with the oldest one still
  // sending (modulo 2^32), and a deferred release of (port, ticket) fits std::function's inline
  // storage with its host's `this`.
  using Ticket = std::uint32_t;

  explicit TxQueue(world::NicPort* nic = nullptr) : nic_(nic) {}

  // A frame TCP just produced; it leaves when release() is called for it and all before it.
  Ticket enqueue(world::Frame frame) {
    sending_.push_back({std::move(frame), false, 1});
    return static_cast<Ticket>(first_ + sending_.size() - 1);
  }
  // The frame `ticket` holds, until it is released.
  const world::Frame& frame(Ticket ticket) const { return at(ticket).frame; }
  // The driver maps `ticket`'s frame into `descriptors` TX descriptors (one unless it says).
  void map(Ticket ticket, std::uint32_t descriptors) { at(ticket).descriptors = descriptors; }
  // The work that sent `ticket`'s frame has finished.
  void release(Ticket ticket) {
    at(ticket).released = true;
    while (!sending_.empty() && sending_.front().released) {
      qdisc_.push_back({std::move(sending_.front().frame), sending_.front().descriptors});
      sending_.pop_front();
      ++first_;
      qdisc_peak_ = std::max<std::uint64_t>(qdisc_peak_, qdisc_.size());
      drain();
    }
  }
  // Hands queued frames to the TX ring while it has free descriptors (after a reclaim, too).
  void drain() {
    while (!qdisc_.empty() && nic_->transmit(qdisc_.front().first, qdisc_.front().second)) qdisc_.pop_front();
  }
  world::NicPort& nic() { return *nic_; }
  std::uint64_t qdisc_peak() const { return qdisc_peak_; }

 private:
  struct Sending {
    world::Frame frame;
    bool released;
    std::uint32_t descriptors;
  };
  Sending& at(Ticket ticket) { return sending_[static_cast<Ticket>(ticket - first_)]; }
  const Sending& at(Ticket ticket) const { return sending_[static_cast<Ticket>(ticket - first_)]; }

  world::NicPort* nic_;
  std::deque<Sending> sending_;  // from ticket first_ on
  Ticket first_ = 0;
  std::deque<std::pair<world::Frame, std::uint32_t>> qdisc_;  // frames and their descriptors
  std::uint64_t qdisc_peak_ = 0;
};

}  // namespace iscsim::host::kernel
