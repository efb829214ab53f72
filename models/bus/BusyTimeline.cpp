#include "models/bus/BusyTimeline.hpp"

#include <algorithm>
#include <iterator>

namespace iscsim::models {

namespace {
// Settled intervals are compacted away once they are this many and half the vector.
constexpr std::size_t kCompactAfter = 64;
// Intervals looked at one by one from the previous booking before searching by halves.
constexpr int kHintProbes = 2;
}  // namespace

BusyInterval BusyTimeline::book(Picos ready, Picos duration) {
  if (head_ == busy_.size() || ready >= busy_.back().end) {
    // Nothing booked after `ready`, the usual case: the booking goes last, right at `ready`.
    const BusyInterval b{ready, ready + duration};
    busy_total_ += duration;
    ++bookings_;
    if (duration <= 0) return b;
    if (head_ < busy_.size() && busy_.back().end == ready)
      busy_.back().end = b.end;
    else
      busy_.push_back(b);
    hint_ = busy_.size() - 1;
    return b;
  }
  const auto first = busy_.begin() + static_cast<std::ptrdiff_t>(head_);
  // The first interval that ends after `ready` is the first that can be in the way. A transfer's
  // bookings follow one another (descriptor, data, write-back), so when everything before the
  // previous booking ends by `ready` the search starts there, looking at the next two first.
  auto it = first;
  if (hint_ > head_ && hint_ < busy_.size() && busy_[hint_ - 1].end <= ready) {
    it = busy_.begin() + static_cast<std::ptrdiff_t>(hint_);
    for (int probe = 0; probe < kHintProbes && it != busy_.end() && it->end <= ready; ++probe) ++it;
  }
  it = std::upper_bound(it, busy_.end(), ready, [](Picos t, const BusyInterval& b) { return t < b.end; });
  Picos start = ready;
  // Walk forward until the gap before the next booking is wide enough.
  while (it != busy_.end() && it->start < start + duration) {
    start = std::max(start, it->end);
    ++it;
  }
  const BusyInterval b{start, start + duration};
  busy_total_ += duration;
  ++bookings_;
  if (duration <= 0) return b;
  // `it` is the first interval starting at or after b.end; b may touch it or its predecessor.
  const bool touches_prev = it != first && std::prev(it)->end == b.start;
  const bool touches_next = it != busy_.end() && it->start == b.end;
  const auto at = static_cast<std::size_t>(it - busy_.begin());
  if (touches_prev && touches_next) {
    std::prev(it)->end = it->end;
    busy_.erase(it);
    hint_ = at - 1;
  } else if (touches_prev) {
    std::prev(it)->end = b.end;
    hint_ = at - 1;
  } else if (touches_next) {
    it->start = b.start;
    hint_ = at;
  } else {
    busy_.insert(it, b);
    hint_ = at;
  }
  return b;
}

void BusyTimeline::forget_before(Picos t) {
  while (head_ < busy_.size() && busy_[head_].end < t) ++head_;
  if (head_ >= kCompactAfter && head_ * 2 >= busy_.size()) {
    busy_.erase(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace iscsim::models
