// IPIs on hand-timed work: the CPU that sends one pays for writing the local APIC's ICR
// (send_ipi) before the IPI leaves, also when the wake-up that sends it is made runnable only at
// its work's end; a packet engine's wake-up interrupts the CPU the thread slept on, whose handler
// wakes it, and the engine, outside the set, pays for its own sending.
#include <gtest/gtest.h>

#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

using models::Picos;

double calls(const Rig& r, int cpu, const char* path) { return r.cost.tallies(cpu)[r.paths.id(path)].calls; }

TEST(CpuSet, AWakeUpMadeRunnableAtItsWorksEndSendsItsIpiRightAfterItAndPaysForIt) {
  // end_kio_request's wake-up, charged within the completing work and made runnable at its end:
  // CPU0 then writes the ICR (1 us) and CPU1, halted, takes the IPI (its entry and handler, 2 us).
  Rig r;
  r.cost.set_counting(true);
  Picos woken_starts = -1;
  Thread* woken = r.cpus.create_thread("woken", [&] { return Work{[&](int) { woken_starts = r.calendar.now(); }, {}}; }, 1);
  Picos waker_done = -1;
  r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                 r.cpus.run(cpu, r.paths.id("work"), 5, 0);
                                 r.cpus.wake_when_done(woken, cpu);
                               },
                               [&] { waker_done = r.calendar.now(); }});
  r.run_all();
  EXPECT_EQ(waker_done, 6 * models::kPicosPerMicro);  // its 5 us and the wake-up's 1 us
  EXPECT_EQ(r.cpus.ipis(), 1u);
  EXPECT_EQ(calls(r, 0, "send_ipi"), 1);
  EXPECT_EQ(calls(r, 1, "send_ipi"), 0);
  EXPECT_EQ(calls(r, 1, "ipi_handler"), 1);
  EXPECT_GE(woken_starts, 9 * models::kPicosPerMicro);
}

TEST(CpuSet, APacketEnginesWakeUpInterruptsTheCpuTheThreadSleptOnWhoseHandlerWakesIt) {
  // Both CPUs idle: the IPI goes to CPU1, where the thread slept, not to CPU0, which 2.4's
  // reschedule_idle would pick from outside as the one idle longest. CPU1's handler wakes it and
  // schedules into it as it returns; no CPU of the set pays for sending.
  Rig r;
  r.cost.set_counting(true);
  int ran_on = -1;
  Thread* sleeper = r.cpus.create_thread("sleeper", [&] { return Work{[&](int cpu) { ran_on = cpu; }, {}}; }, 1);
  r.cpus.wake_by_ipi(sleeper);
  r.run_all();
  EXPECT_EQ(ran_on, 1);
  EXPECT_EQ(r.cpus.events(1).ipis, 1u);
  EXPECT_EQ(r.cpus.events(0).ipis, 0u);
  EXPECT_EQ(calls(r, 1, "wake_up"), 1);
  EXPECT_EQ(calls(r, 0, "wake_up") + calls(r, 0, "send_ipi") + calls(r, 1, "send_ipi"), 0);
}

}  // namespace
}  // namespace iscsim::host::kernel
