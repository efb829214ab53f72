#include "models/bus/BusyTimeline.hpp"

#include <algorithm>
#include <iterator>

namespace iscsim::models {

BusyInterval BusyTimeline::book(Picos ready, Picos duration) {
  Picos start = ready;
  // The interval that starts at or before `ready` may still cover it.
  auto it = busy_.upper_bound(ready);
  if (it != busy_.begin()) {
    auto prev = std::prev(it);
    start = std::max(start, prev->second);
  }
  // Walk forward until the gap before the next booking is wide enough.
  while (it != busy_.end() && it->first < start + duration) {
    start = std::max(start, it->second);
    ++it;
  }
  const BusyInterval b{start, start + duration};
  if (duration > 0) {
    // Merge with neighbours that touch, to keep the map short on a saturated bus.
    auto next = busy_.lower_bound(b.start);
    Picos s = b.start;
    Picos e = b.end;
    if (next != busy_.begin()) {
      auto prev = std::prev(next);
      if (prev->second == s) {
        s = prev->first;
        busy_.erase(prev);
      }
    }
    next = busy_.lower_bound(e);
    if (next != busy_.end() && next->first == e) {
      e = next->second;
      busy_.erase(next);
    }
    busy_[s] = e;
  }
  busy_total_ += duration;
  ++bookings_;
  return b;
}

void BusyTimeline::forget_before(Picos t) {
  while (!busy_.empty() && busy_.begin()->second < t) busy_.erase(busy_.begin());
}

}  // namespace iscsim::models
