#pragma once
// The discrete-event calendar of hardware and protocol events (interrupts, timer expiries, DMA
// completions). Events at equal times run in the order they were scheduled, so runs are exact.
#include <cstdint>
#include <functional>
#include <vector>

#include "models/common/Time.hpp"

namespace iscsim::world {

using models::Picos;

class Calendar {
 public:
  using Action = std::function<void()>;

  void schedule(Picos at, Action action);
  bool empty() const { return heap_.empty(); }
  Picos next_time() const { return heap_.front().at; }
  // Removes and runs the earliest event; `now()` is its time while it runs.
  void run_next();
  Picos now() const { return now_; }
  std::uint64_t events_run() const { return events_run_; }

 private:
  // The heap orders small keys; each action waits in its slot, so reordering moves no action.
  struct Key {
    Picos at;
    std::uint64_t seq;
    std::uint32_t slot;
  };
  static bool earlier(const Key& a, const Key& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; }
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);

  std::vector<Key> heap_;  // a 4-ary min-heap: half the levels of a binary one
  std::vector<Action> actions_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t events_run_ = 0;
  Picos now_ = 0;
};

}  // namespace iscsim::world
