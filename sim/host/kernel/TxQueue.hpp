#pragma once
// A NIC's transmit side as a kernel driver feeds it: frames in the order TCP produced them, each
// leaving once the work that sent it has finished (the socket lock keeps a connection's segments
// in order whichever CPU sends them), then through the qdisc onto the TX ring as it has room.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <utility>

#include "sim/world/NicPort.hpp"

namespace iscsim::host::kernel {

class TxQueue {
 public:
  explicit TxQueue(world::NicPort* nic = nullptr) : nic_(nic) {}

  // A frame TCP just produced; it leaves when release() is called for it and all before it.
  std::shared_ptr<world::Frame> enqueue(world::Frame frame) {
    auto shared = std::make_shared<world::Frame>(std::move(frame));
    sending_.emplace_back(shared, false);
    return shared;
  }
  // The work that sent `frame` has finished.
  void release(const std::shared_ptr<world::Frame>& frame) {
    for (auto& [f, done] : sending_)
      if (f == frame) done = true;
    while (!sending_.empty() && sending_.front().second) {
      qdisc_.push_back(std::move(*sending_.front().first));
      sending_.pop_front();
      qdisc_peak_ = std::max<std::uint64_t>(qdisc_peak_, qdisc_.size());
      drain();
    }
  }
  // Hands queued frames to the TX ring while it has free descriptors (after a reclaim, too).
  void drain() {
    while (!qdisc_.empty() && nic_->transmit(qdisc_.front())) qdisc_.pop_front();
  }
  world::NicPort& nic() { return *nic_; }
  std::uint64_t qdisc_peak() const { return qdisc_peak_; }

 private:
  world::NicPort* nic_;
  std::deque<std::pair<std::shared_ptr<world::Frame>, bool>> sending_;
  std::deque<world::Frame> qdisc_;
  std::uint64_t qdisc_peak_ = 0;
};

}  // namespace iscsim::host::kernel
