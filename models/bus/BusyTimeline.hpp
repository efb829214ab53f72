#pragma once
// A shared resource that serves one transfer at a time (a bus, a memory channel). Transfers are
// booked into the earliest idle gap at or after their ready time. Bookings may arrive out of time
// order (the simulator computes some transfers ahead), so gaps left earlier can still be filled.
#include <cstdint>
#include <vector>

#include "models/common/Time.hpp"

namespace iscsim::models {

struct BusyInterval {
  Picos start = 0;
  Picos end = 0;
};

class BusyTimeline {
 public:
  // Books `duration` at the earliest gap starting at or after `ready`.
  BusyInterval book(Picos ready, Picos duration);
  // Drops bookings that end before `t`; nothing may be booked before `t` afterwards.
  void forget_before(Picos t);
  Picos busy_total() const { return busy_total_; }
  std::uint64_t bookings() const { return bookings_; }

 private:
  // Sorted, non-overlapping, non-touching intervals from index head_ on. A vector: the set is
  // small (bookings reach at most a ring's worth of frames ahead) and scanned near its front.
  std::vector<BusyInterval> busy_;
  std::size_t head_ = 0;
  std::size_t hint_ = 0;  // where the previous booking went: where the next one's search may start
  Picos busy_total_ = 0;
  std::uint64_t bookings_ = 0;
};

}  // namespace iscsim::models
