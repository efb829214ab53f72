#include "models/bus/BusyTimeline.hpp"

#include <algorithm>
#include <iterator>

namespace iscsim::models {

namespace {
// Settled intervals are compacted away once they are this many and half the vector.
constexpr std::size_t kCompactAfter = 64;

using Iter = std::vector<BusyInterval>::iterator;

// The first interval from `it` on that ends after `t`. It is usually among the next few, so it is
// looked for at doubling distances, then by halves within the last stretch.
Iter first_ending_after(Iter it, Iter end, Picos t) {
  std::ptrdiff_t step = 1;
  while (it != end && it->end <= t) {
    const Iter probe = end - it > step ? it + step : end;
    if (probe == end || probe->end > t)
      return std::upper_bound(it + 1, probe, t, [](Picos x, const BusyInterval& b) { return x < b.end; });
    it = probe + 1;
    step *= 2;
  }
  return it;
}
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
  // previous booking ends by `ready` the search starts there.
  const bool after_hint = hint_ > head_ && hint_ < busy_.size() && busy_[hint_ - 1].end <= ready;
  auto it = first_ending_after(after_hint ? busy_.begin() + static_cast<std::ptrdiff_t>(hint_) : first, busy_.end(), ready);
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
  // Bookings mostly land near the front: a slot is made or removed by moving the intervals before
  // it, into or out of the forgotten slots before head_, when they are fewer than those after it.
  const bool front_fewer = at - head_ < busy_.size() - at;
  if (touches_prev && touches_next) {
    if (front_fewer) {
      it->start = std::prev(it)->start;
      std::move_backward(first, std::prev(it), it);
      ++head_;
      hint_ = at;
    } else {
      std::prev(it)->end = it->end;
      busy_.erase(it);
      hint_ = at - 1;
    }
  } else if (touches_prev) {
    std::prev(it)->end = b.end;
    hint_ = at - 1;
  } else if (touches_next) {
    it->start = b.start;
    hint_ = at;
  } else if (head_ > 0 && front_fewer) {
    std::move(first, it, first - 1);
    --head_;
    busy_[at - 1] = b;
    hint_ = at - 1;
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
