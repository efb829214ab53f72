#pragma once
// Frame buffers handed back once a frame has been parsed or dropped, and taken again to build the
// next one: a frame costs no allocation in steady state. Holds at most as many buffers as frames
// were once alive at the same time in the world.
#include <utility>
#include <vector>

#include "sim/world/NicPort.hpp"

namespace iscsim::world {

class FramePool {
 public:
  // A buffer to build a frame in: a used one (its bytes are stale, its capacity kept) if any.
  Frame take() {
    if (spare_.empty()) return Frame{};
    Frame f = std::move(spare_.back());
    spare_.pop_back();
    return f;
  }
  // A frame no longer needed; its buffer serves a later take().
  void give(Frame&& frame) {
    if (frame.capacity() > 0) spare_.push_back(std::move(frame));
  }

 private:
  std::vector<Frame> spare_;
};

}  // namespace iscsim::world
