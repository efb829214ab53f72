#pragma once
// The discrete-event calendar of hardware and protocol events (interrupts, timer expiries, DMA
// completions). Events at equal times run in the order they were scheduled, so runs are exact.
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "models/common/Time.hpp"

namespace iscsim::world {

using models::Picos;

class Calendar {
 public:
  using Action = std::function<void()>;

  void schedule(Picos at, Action action);
  bool empty() const { return queue_.empty(); }
  Picos next_time() const { return queue_.top().at; }
  // Removes and runs the earliest event; `now()` is its time while it runs.
  void run_next();
  Picos now() const { return now_; }
  std::uint64_t events_run() const { return events_run_; }

 private:
  struct Event {
    Picos at;
    std::uint64_t seq;
    Action action;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  };
  std::priority_queue<Event, std::vector<Event>, Later> queue_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_run_ = 0;
  Picos now_ = 0;
};

}  // namespace iscsim::world
