// io_request_lock as CpuSet keeps it: the holds each CPU's work books when it is charged
// (SpinLockHolds), and the spinning they cost, charged to the lock-wait path.
#include <algorithm>
#include <cmath>

#include "sim/host/kernel/CpuSet.hpp"

namespace iscsim::host::kernel {

void CpuSet::lock(int cpu) { lock_reach_cycles_[cpu] = job_cycles_[cpu]; }

void CpuSet::unlock(int cpu, double turns, double locked_share) {
  // The work since lock() took the lock `turns` times, evenly spread, each for `locked_share` of
  // its turn; a turn that waits delays the ones after it.
  if (locked_share <= 0) return;
  const double hz = cost_.hz();
  const double now = models::seconds_from_picos(calendar_.now());
  const double n = std::max(1.0, std::round(turns));
  const double turn_s = (job_cycles_[cpu] - lock_reach_cycles_[cpu]) / hz / n;
  double spun_s = 0;
  double own_s = 0;  // its other holds gave way: its work takes that much longer
  for (double i = 0; i < n; ++i) {
    const double reach = now + lock_reach_cycles_[cpu] / hz + i * turn_s + spun_s;
    const SpinLockHolds::Taken t = lock_holds_.take(cpu, cpus_[cpu].current.id, now, reach, turn_s * locked_share);
    spun_s += t.at_s - reach;
    for (const SpinLockHolds::Push& p : t.pushed)
      if (p.cpu == cpu)
        own_s += p.spin_s;
      else
        spin(p.cpu, p.spin_s * hz, true);
  }
  spin(cpu, (spun_s + own_s) * hz, false);
}

void CpuSet::spin(int cpu, double cycles, bool for_another) {
  if (cycles <= 0) return;
  const double calls = cycles / cost_.catalog()[paths_.spin_lock_wait].compute_cycles(1, 0);
  if (for_another)
    run_for(cpu, paths_.spin_lock_wait, calls);
  else
    run(cpu, paths_.spin_lock_wait, calls, 0);
}

}  // namespace iscsim::host::kernel
