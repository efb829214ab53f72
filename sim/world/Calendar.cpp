#include "sim/world/Calendar.hpp"

#include <algorithm>
#include <utility>

namespace iscsim::world {

namespace {
constexpr std::size_t kArity = 4;
}  // namespace

void Calendar::schedule(Picos at, Action action) {
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(actions_.size());
    actions_.push_back(std::move(action));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    actions_[slot] = std::move(action);
  }
  // Nothing runs in the past: an event due "now or earlier" runs at the current time.
  heap_.push_back(Key{std::max(at, now_), next_seq_++, slot});
  sift_up(heap_.size() - 1);
}

void Calendar::run_next() {
  const Key top = heap_.front();
  heap_.front() = heap_.back();
  heap_.pop_back();
  if (!heap_.empty()) sift_down(0);
  // Out of its slot before it runs: what it schedules may take the slot.
  Action action = std::move(actions_[top.slot]);
  free_slots_.push_back(top.slot);
  now_ = top.at;
  ++events_run_;
  action();
}

void Calendar::sift_up(std::size_t i) {
  const Key k = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (!earlier(k, heap_[parent])) break;
    heap_[i] = heap_[parent];
    i = parent;
  }
  heap_[i] = k;
}

void Calendar::sift_down(std::size_t i) {
  const Key k = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    const std::size_t first = kArity * i + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t last = std::min(first + kArity, n);
    for (std::size_t c = first + 1; c < last; ++c)
      if (earlier(heap_[c], heap_[best])) best = c;
    if (!earlier(heap_[best], k)) break;
    heap_[i] = heap_[best];
    i = best;
  }
  heap_[i] = k;
}

}  // namespace iscsim::world
