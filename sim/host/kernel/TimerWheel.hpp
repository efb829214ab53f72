#pragma once
// Linux 2.4's kernel timers (kernel/timer.c) as memory: one global set of timer vectors (tv1's
// buckets for the next TVR_SIZE jiffies, tv2-tv5's TVN_SIZE each beyond) under one spin lock,
// timerlist_lock, which mod_timer takes on every CPU. TCP restarts its retransmit and delayed-ACK
// timers on most segments it handles, so the lock's line, the buckets' heads and the timers
// queued beside its own (other connections') move between the CPUs that run TCP.
#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "models/common/Time.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

// The sizes of 2.4's timer structures (include/linux/timer.h, kernel/timer.c).
struct TimerWheelLayout {
  std::uint32_t timer_list_bytes = 0;  // struct timer_list; 0: timers not modelled (nothing touched)
  std::uint32_t list_head_bytes = 0;   // a bucket's head, and a timer's links
  std::uint32_t root_buckets = 0;      // TVR_SIZE: tv1, one bucket per jiffy (a power of two)
  std::uint32_t vector_buckets = 0;    // TVN_SIZE: each of tv2-tv5 (a power of two)
  std::uint32_t lock_bytes = 0;        // spinlock_t timerlist_lock
};

class TimerWheel {
 public:
  static constexpr std::size_t kMaxTouches = 6;  // lock, timer, old neighbours, new head and tail
  // What one mod_timer touches.
  struct Call {
    std::array<models::Touch, kMaxTouches> touches{};
    std::size_t count = 0;
    models::Touches list() const { return {touches.data(), count}; }
  };

  // `jiffy` is the tick period (1/HZ); without one (0) mod_timer touches the lock and the timer only.
  TimerWheel(models::AddressSpace& memory, const TimerWheelLayout& layout, models::Picos jiffy);

  // mod_timer(timer, expires) at `now`: takes timerlist_lock, unlinks the timer at `timer` from
  // its bucket if it is still pending, and links it at the tail of the bucket for `expires`.
  // Returns the lines written: the lock (a locked operation), the timer, the neighbours it
  // leaves (their links), and the bucket head and old tail it joins.
  Call mod_timer(models::Addr timer, models::Picos expires, models::Picos now);
  // del_timer(timer) at `now` (del_timer_sync on SMP, once the timer is not running): the lock,
  // the timer, and the neighbours it leaves if it is still pending.
  Call del_timer(models::Addr timer, models::Picos now);

  bool modelled() const { return layout_.timer_list_bytes > 0; }
  std::uint32_t timer_bytes() const { return layout_.timer_list_bytes; }
  // The bucket head internal_add_timer picks for a timer expiring at jiffy `expires` when the
  // wheel stands at jiffy `now`.
  models::Addr bucket(std::uint64_t expires, std::uint64_t now) const;
  // The timers pending in the bucket at `head`, oldest first (timers past their jiffy have run).
  std::vector<models::Addr> queued(models::Addr head, models::Picos now);

 private:
  struct Pending {
    models::Addr bucket = 0;
    std::uint64_t expires = 0;
  };
  std::uint64_t jiffies(models::Picos t) const;
  // run_timer_list has run, and unlinked, every timer of `list` whose jiffy has come.
  void drop_run(std::vector<models::Addr>& list, std::uint64_t now);
  void add(Call& call, const models::Touch& t) const;
  // timerlist_lock and the timer itself, which every call writes.
  Call locked(models::Addr timer) const;
  // detach_timer: `timer` off its bucket if it is still pending at jiffy `j`.
  void detach(Call& call, models::Addr timer, std::uint64_t j);

  TimerWheelLayout layout_;
  models::Picos jiffy_;
  unsigned root_bits_ = 0;
  unsigned vector_bits_ = 0;
  models::Addr lock_ = 0;
  models::Addr root_ = 0;
  models::Addr vectors_ = 0;  // tv2..tv5, one after another
  std::unordered_map<models::Addr, Pending> pending_;
  std::unordered_map<models::Addr, std::vector<models::Addr>> buckets_;  // head -> timers, FIFO
};

}  // namespace iscsim::host::kernel
