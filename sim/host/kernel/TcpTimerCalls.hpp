#pragma once
// The mod_timer calls one connection's TCP has made, turned into charges: the TCP core counts
// each time it sets or restarts its retransmit or delayed-ACK timer, and each such count is one
// mod_timer on the kernel's timer lists (TimerWheel), touching what the lists' state says.
#include <cstdint>

#include "models/common/Time.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/TimerWheel.hpp"
#include "sim/stack/tcp/Connection.hpp"

namespace iscsim::host::kernel {

class TcpTimerCalls {
 public:
  // Calls `charge(const TimerWheel::Call&)` once for each mod_timer `conn`, whose struct sock is
  // at `sock`, has made since the last time, moving its timers on `wheel` at `now`.
  template <class Charge>
  void charge_new(const stack::tcp::Connection& conn, models::Addr sock, const KernelObjects& objects,
                  TimerWheel& wheel, models::Picos now, Charge&& charge) {
    const stack::tcp::Stats& s = conn.stats();
    for (; retransmit_seen_ < s.retransmit_timer_sets; ++retransmit_seen_)
      charge(wheel.mod_timer(sock + objects.retransmit_timer_offset, due(conn.retransmit_deadline(), now), now));
    for (; delack_seen_ < s.delack_timer_sets; ++delack_seen_)
      charge(wheel.mod_timer(sock + objects.delack_timer_offset, due(conn.delack_deadline(), now), now));
  }

 private:
  // A timer cleared since it was set (everything acknowledged) was last set to about now.
  static models::Picos due(std::optional<stack::Nanos> deadline, models::Picos now) {
    return deadline ? *deadline * models::kPicosPerNano : now;
  }
  std::uint64_t retransmit_seen_ = 0;
  std::uint64_t delack_seen_ = 0;
};

}  // namespace iscsim::host::kernel
