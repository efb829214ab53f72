#include "sim/world/Calendar.hpp"

#include <algorithm>
#include <utility>

namespace iscsim::world {

void Calendar::schedule(Picos at, Action action) {
  // Nothing runs in the past: an event due "now or earlier" runs at the current time.
  queue_.push(Event{std::max(at, now_), next_seq_++, std::move(action)});
}

void Calendar::run_next() {
  // Moving out of the heap's top is safe because it is popped before the action runs.
  Event e = std::move(const_cast<Event&>(queue_.top()));
  queue_.pop();
  now_ = e.at;
  ++events_run_;
  e.action();
}

}  // namespace iscsim::world
