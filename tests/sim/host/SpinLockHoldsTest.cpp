// The spin lock's booked holds: a CPU waits for another's hold only where the two overlap, and a
// hold booked for later does not block a CPU that reaches the lock first; CpuSet charges that
// wait, and only it, to the lock-wait path; the kernel objects refuse a share of the lock
// outside [0, 1].
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/common/ParamSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/SpinLockHolds.hpp"
#include "tests/sim/host/CpuSetRig.hpp"

namespace iscsim::host::kernel {
namespace {

TEST(SpinLockHolds, AFreeLockIsTakenWhereItIsReached) {
  SpinLockHolds lock;
  const SpinLockHolds::Taken t = lock.take(0, 0, 0.0, 2.0, 3.0);
  EXPECT_DOUBLE_EQ(t.at_s, 2.0);
  EXPECT_TRUE(t.pushed.empty());
}

TEST(SpinLockHolds, ACpuReachingDuringAnotherCpusHoldWaitsForItsEnd) {
  SpinLockHolds lock;
  lock.take(0, 0, 0.0, 5.0, 3.0);                              // held 5-8
  EXPECT_DOUBLE_EQ(lock.take(1, 1, 6.0, 6.0, 1.0).at_s, 8.0);  // spins 2
}

TEST(SpinLockHolds, AHoldBookedForLaterDoesNotBlockACpuThatGetsThereFirst) {
  SpinLockHolds lock;
  lock.take(0, 0, 0.0, 15.0, 3.0);  // late in a piece charged at 0: 15-18
  const SpinLockHolds::Taken t = lock.take(1, 1, 2.0, 2.0, 3.0);
  EXPECT_DOUBLE_EQ(t.at_s, 2.0);  // 2-5 ends before it
  EXPECT_TRUE(t.pushed.empty());
}

TEST(SpinLockHolds, AHoldBookedForLaterGivesWayToOneThatBeginsFirstAndItsCpuSpins) {
  SpinLockHolds lock;
  lock.take(0, 0, 0.0, 15.0, 3.0);  // 15-18
  lock.take(0, 0, 0.0, 20.0, 1.0);  // 20-21
  const SpinLockHolds::Taken t = lock.take(1, 1, 2.0, 13.0, 3.0);  // 13-16
  EXPECT_DOUBLE_EQ(t.at_s, 13.0);
  ASSERT_EQ(t.pushed.size(), 1u);
  EXPECT_EQ(t.pushed[0].cpu, 0);
  EXPECT_DOUBLE_EQ(t.pushed[0].spin_s, 1.0);  // CPU0 takes it at 16, not 15
  // CPU0's holds come 1 later, its later one too: 16-19 and 21-22.
  EXPECT_DOUBLE_EQ(lock.take(2, 2, 2.0, 18.5, 0.5).at_s, 19.0);
  EXPECT_DOUBLE_EQ(lock.take(2, 2, 2.0, 21.0, 0.5).at_s, 22.0);
}

TEST(SpinLockHolds, AHoldThatGaveWayAndLandsOnAThirdCpusHoldWaitsForItOrPushesIt) {
  SpinLockHolds lock;
  lock.take(1, 1, 0.0, 2.0, 2.0);  // 2-4
  lock.take(2, 2, 0.0, 4.5, 1.0);  // 4.5-5.5
  lock.take(3, 3, 0.0, 5.5, 1.0);  // 5.5-6.5, right after CPU2's
  // CPU0 gets there first, at 1, for 2: CPU1's hold comes 1 later, 3-5, and begins before
  // CPU2's, which then comes 0.5 later, 5-6, and CPU3's after it, 6-7.
  const SpinLockHolds::Taken t = lock.take(0, 0, 0.0, 1.0, 2.0);
  EXPECT_DOUBLE_EQ(t.at_s, 1.0);
  ASSERT_EQ(t.pushed.size(), 3u);
  double spin[4] = {0, 0, 0, 0};
  for (const SpinLockHolds::Push& p : t.pushed) spin[p.cpu] = p.spin_s;
  EXPECT_DOUBLE_EQ(spin[1], 1.0);
  EXPECT_DOUBLE_EQ(spin[2], 0.5);
  EXPECT_DOUBLE_EQ(spin[3], 0.5);
  EXPECT_EQ(lock.holds_of(2), (std::vector<std::pair<double, double>>{{5.0, 6.0}}));
  EXPECT_EQ(lock.holds_of(3), (std::vector<std::pair<double, double>>{{6.0, 7.0}}));
}

TEST(SpinLockHolds, AHoldThatGaveWayCanPushTheTakersOwnEarlierBookedHold) {
  SpinLockHolds lock;
  lock.take(0, 9, 0.0, 4.5, 1.0);  // 4.5-5.5, booked by another piece of CPU0's
  lock.take(1, 1, 0.0, 2.0, 2.0);  // 2-4
  // CPU0 takes it at 1 for 2: CPU1's hold, 3-5, begins before CPU0's other one.
  const SpinLockHolds::Taken t = lock.take(0, 0, 0.0, 1.0, 2.0);
  ASSERT_EQ(t.pushed.size(), 2u);
  EXPECT_EQ(t.pushed[0].cpu, 1);
  EXPECT_DOUBLE_EQ(t.pushed[0].spin_s, 1.0);
  EXPECT_EQ(t.pushed[1].cpu, 0);
  EXPECT_DOUBLE_EQ(t.pushed[1].spin_s, 0.5);
  EXPECT_EQ(lock.holds_of(0), (std::vector<std::pair<double, double>>{{1.0, 3.0}, {5.0, 6.0}}));
}

TEST(SpinLockHolds, APreemptedPieceTakesItsLaterHoldsWithItAndLeavesTheLockFreeMeanwhile) {
  SpinLockHolds lock;
  lock.take(0, 7, 0.0, 5.0, 1.0);  // 5-6
  lock.suspend(7, 3.0);            // an interrupt at 3
  const SpinLockHolds::Taken t = lock.take(1, 1, 4.0, 5.2, 0.5);
  EXPECT_DOUBLE_EQ(t.at_s, 5.2);  // CPU0 runs its interrupt then, not its hold
  EXPECT_TRUE(t.pushed.empty());
  EXPECT_TRUE(lock.holds_of(0).empty());
  EXPECT_TRUE(lock.resume(7, 7.0).empty());  // back at 7: its hold 2 later
  EXPECT_EQ(lock.holds_of(0), (std::vector<std::pair<double, double>>{{9.0, 10.0}}));
}

TEST(SpinLockHolds, AResumedHoldWaitsForOneBegunBeforeItAndPushesOneBegunDuringIt) {
  SpinLockHolds lock;
  lock.take(0, 7, 0.0, 5.0, 1.0);  // 5-6
  lock.suspend(7, 3.0);
  lock.take(1, 1, 4.0, 8.5, 1.0);  // 8.5-9.5
  lock.take(2, 2, 4.0, 9.8, 1.0);  // 9.8-10.8
  // Back at 7, CPU0's hold would be 9-10: it waits for CPU1's to 9.5, and CPU2's then gives way.
  const std::vector<SpinLockHolds::Push> pushed = lock.resume(7, 7.0);
  ASSERT_EQ(pushed.size(), 2u);
  EXPECT_EQ(pushed[0].cpu, 0);
  EXPECT_DOUBLE_EQ(pushed[0].spin_s, 0.5);
  EXPECT_EQ(pushed[1].cpu, 2);
  EXPECT_NEAR(pushed[1].spin_s, 0.7, 1e-12);
  EXPECT_EQ(lock.holds_of(0), (std::vector<std::pair<double, double>>{{9.5, 10.5}}));
  EXPECT_EQ(lock.holds_of(2), (std::vector<std::pair<double, double>>{{10.5, 11.5}}));
}

TEST(SpinLockHolds, AHoldUnderWayWhenAnInterruptComesStaysWhereItIs) {
  // 2.4 holds io_request_lock with interrupts off: none comes in during a hold.
  SpinLockHolds lock;
  lock.take(0, 7, 0.0, 2.0, 2.0);  // 2-4
  lock.suspend(7, 3.0);
  EXPECT_DOUBLE_EQ(lock.take(1, 1, 3.5, 3.5, 1.0).at_s, 4.0);
}

TEST(SpinLockHolds, NoTwoCpusEverHoldItAtOnceWhateverTheyBookOrWhoeverIsPreempted) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> ahead(0.0, 20.0), length(0.1, 3.0);
  std::uniform_int_distribution<int> who(0, 7);
  std::uniform_int_distribution<int> what(0, 4);
  SpinLockHolds lock;
  std::vector<std::uint64_t> running, preempted;
  double now = 0;
  for (int k = 0; k < 2000; ++k) {
    now += 0.5;
    const int step = what(rng);
    if (step == 0 && !running.empty()) {  // an interrupt preempts a piece
      const std::size_t i = rng() % running.size();
      lock.suspend(running[i], now);
      preempted.push_back(running[i]);
      running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (step == 1 && !preempted.empty()) {  // one resumes
      const std::size_t i = rng() % preempted.size();
      lock.resume(preempted[i], now);
      preempted.erase(preempted.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      const auto piece = static_cast<std::uint64_t>(k);
      lock.take(who(rng), piece, now, now + ahead(rng), length(rng));
      running.push_back(piece);
    }
    for (int a = 0; a < 8; ++a)
      for (int b = a + 1; b < 8; ++b)
        for (const auto& x : lock.holds_of(a))
          for (const auto& y : lock.holds_of(b))
            ASSERT_TRUE(x.second <= y.first || y.second <= x.first)
                << "CPU" << a << " [" << x.first << ", " << x.second << ") and CPU" << b << " [" << y.first
                << ", " << y.second << ") after booking " << k;
  }
}

TEST(SpinLockHolds, AWaitTakesInTurnEveryHoldUnderWayWhenItGetsThere) {
  SpinLockHolds lock;
  lock.take(0, 0, 0.0, 10.0, 2.0);  // 10-12
  lock.take(2, 2, 0.0, 12.0, 2.0);  // 12-14: CPU2 took it as CPU0 let it go
  const SpinLockHolds::Taken t = lock.take(1, 1, 0.0, 11.0, 1.0);
  EXPECT_DOUBLE_EQ(t.at_s, 14.0);
  EXPECT_TRUE(t.pushed.empty());
}

TEST(SpinLockHolds, ACpuNeverWaitsForItsOwnHold) {
  SpinLockHolds lock;
  lock.take(0, 9, 0.0, 13.0, 3.0);  // 13-16, under way when an interrupt preempts its piece
  lock.suspend(9, 14.0);
  const SpinLockHolds::Taken t = lock.take(0, 0, 14.0, 14.0, 3.0);
  EXPECT_DOUBLE_EQ(t.at_s, 14.0);
  EXPECT_TRUE(t.pushed.empty());
}

TEST(SpinLockHolds, HoldsEndedBeforeNowAreForgotten) {
  SpinLockHolds lock;
  lock.take(0, 0, 0.0, 1.0, 3.0);  // 1-4
  lock.take(1, 1, 5.0, 5.0, 1.0);
  EXPECT_EQ(lock.booked(), 1u);
}

// When each CPU's softirq ends (us): CPU0's, raised at 0, takes the lock in its 2 us after 10 us
// of work (if `cpu0_locks`: `cpu0_turns` times, each for `cpu0_share` of its turn); CPU1's,
// raised at `cpu1_at` us, takes it for 1 us at once. An interrupt of `irq_us` comes into CPU0 at
// `irq_at` us.
struct Done {
  double cpu0 = -1, cpu1 = -1, irq = -1;
};
Done done_us(double cpu1_at, bool cpu0_locks = true, double cpu0_turns = 1, double cpu0_share = 1, double irq_at = -1,
             double irq_us = 0) {
  Rig r;
  const models::PathId work = r.paths.id("work");
  Done done;
  const auto now_us = [&r] { return static_cast<double>(r.calendar.now()) / models::kPicosPerMicro; };
  r.cpus.raise_softirq(0, Work{[&](int cpu) {
                                 r.cpus.run(cpu, work, 10, 0);
                                 if (cpu0_locks) r.cpus.lock(cpu);
                                 r.cpus.run(cpu, work, 2, 0);
                                 if (cpu0_locks) r.cpus.unlock(cpu, cpu0_turns, cpu0_share);
                               },
                               [&] { done.cpu0 = now_us(); }});
  if (irq_at >= 0)
    r.calendar.schedule(static_cast<models::Picos>(irq_at * models::kPicosPerMicro), [&] {
      r.cpus.raise_irq(0, Work{[&](int cpu) { r.cpus.run(cpu, work, irq_us, 0); }, [&] { done.irq = now_us(); }, "irq",
                               false});
    });
  r.calendar.schedule(static_cast<models::Picos>(cpu1_at * models::kPicosPerMicro), [&] {
    r.cpus.raise_softirq(1, Work{[&](int cpu) {
                                   r.cpus.lock(cpu);
                                   r.cpus.run(cpu, work, 1, 0);
                                   r.cpus.unlock(cpu);
                                 },
                                 [&] { done.cpu1 = now_us(); }});
  });
  r.run_all();
  return done;
}

TEST(CpuSetLock, ACpuSpinsOnlyWhileAnotherCpusHoldIsUnderWay) {
  // CPU0's piece, charged when it starts at 0, books its hold 10 us on (after its softirq entry).
  const Done alone = done_us(30, false);
  const Done first = done_us(2);  // CPU1 is done long before CPU0 gets there: neither waits
  EXPECT_DOUBLE_EQ(first.cpu1 - 2, alone.cpu1 - 30);
  EXPECT_DOUBLE_EQ(first.cpu0, alone.cpu0);
  const double cpu1_entry_us = alone.cpu1 - 30 - 1;
  const Done during = done_us(11);  // CPU1 gets there during CPU0's hold (it ends at CPU0's end)
  EXPECT_DOUBLE_EQ(during.cpu0, alone.cpu0);
  const double wait = alone.cpu0 - (11 + cpu1_entry_us);
  EXPECT_GT(wait, 0);
  EXPECT_NEAR(during.cpu1 - 11, alone.cpu1 - 30 + wait, 1e-6);
}

TEST(CpuSetLock, AHoldBookedForLaterGivesWayAndItsCpuSpinsForIt) {
  const Done alone = done_us(30, false);
  // CPU1 wants it half a microsecond before CPU0's hold begins, for 1 us: CPU0 spins 0.5 us.
  const double cpu0_hold_us = alone.cpu0 - 2;
  const double cpu1_entry_us = alone.cpu1 - 30 - 1;
  const Done before = done_us(cpu0_hold_us - 0.5 - cpu1_entry_us);
  EXPECT_DOUBLE_EQ(before.cpu1 - (cpu0_hold_us - 0.5 - cpu1_entry_us), alone.cpu1 - 30);
  EXPECT_NEAR(before.cpu0, alone.cpu0 + 0.5, 1e-6);
}

TEST(CpuSetLock, AnInterruptBeforeAHoldTakesItAlongAndLeavesTheLockFreeMeanwhile) {
  const Done alone = done_us(30, false);
  const Done waits = done_us(11);  // during CPU0's hold: CPU1 waits for its end
  ASSERT_GT(waits.cpu1 - 11, alone.cpu1 - 30);
  // An interrupt of 20 us at 5 us: CPU0 runs it when its hold was booked, and holds the lock
  // 20 us later; CPU1 does not wait.
  const Done preempted = done_us(11, true, 1, 1, 5, 20);
  EXPECT_DOUBLE_EQ(preempted.cpu1 - 11, alone.cpu1 - 30);
  EXPECT_NEAR(preempted.cpu0, alone.cpu0 + 20, 1e-6);
}

TEST(CpuSetLock, AnInterruptDuringAHoldIsTakenWhenTheHoldEnds) {
  // 2.4 holds io_request_lock with interrupts off. CPU0's hold is its piece's last 2 us: an
  // interrupt of 5 us 1 us before its end waits for it, and CPU0's piece is not preempted.
  const Done alone = done_us(30, false);
  const Done held = done_us(30, true, 1, 1, alone.cpu0 - 1, 5);
  EXPECT_DOUBLE_EQ(held.cpu0, alone.cpu0);
  EXPECT_NEAR(held.irq, alone.cpu0 + 5, 1e-6);
  // Without the lock it preempts the piece at once.
  const Done free = done_us(30, false, 1, 1, alone.cpu0 - 1, 5);
  EXPECT_NEAR(free.irq, alone.cpu0 - 1 + 5, 1e-6);
  EXPECT_NEAR(free.cpu0, alone.cpu0 + 5, 1e-6);
}

TEST(CpuSetLock, ALockTakenInTurnsIsHeldOnlyItsShareOfEachAndFreeBetween) {
  // CPU0 takes it four times in its 2 us, half of each 0.5 us turn: free from 0.25 to 0.5 us in.
  const Done alone = done_us(30, false);
  const double cpu0_lock_us = alone.cpu0 - 2;
  const double cpu1_entry_us = alone.cpu1 - 30 - 1;
  // CPU1 gets there in the first gap: it does not wait, and CPU0's next turns give way to its
  // 1 us hold (from 0.3 to 1.3 us in, where CPU0's second turn was to begin at 0.5).
  const double at = cpu0_lock_us + 0.3 - cpu1_entry_us;
  const Done gap = done_us(at, true, 4, 0.5);
  EXPECT_NEAR(gap.cpu1 - at, alone.cpu1 - 30, 1e-6);
  EXPECT_NEAR(gap.cpu0, alone.cpu0 + 0.8, 1e-6);
  // Held whole, CPU1 would have waited for the end of it instead.
  const Done whole = done_us(at);
  EXPECT_NEAR(whole.cpu1 - at, alone.cpu1 - 30 + 1.7, 1e-6);
  EXPECT_DOUBLE_EQ(whole.cpu0, alone.cpu0);
}

TEST(CpuSetLock, ALockHeldForNoShareOfItsWorkIsNotTaken) {
  // The ablation's switch: CPU1 gets there during what would be CPU0's hold and does not wait.
  const Done alone = done_us(30, false);
  const Done none = done_us(11, true, 1, 0);
  EXPECT_DOUBLE_EQ(none.cpu1 - 11, alone.cpu1 - 30);
  EXPECT_DOUBLE_EQ(none.cpu0, alone.cpu0);
}

TEST(IoRequestLockShares, AShareOutsideZeroToOneIsRefusedNamingTheFileAndTheKey) {
  std::ifstream in(std::string(ISCSIM_SOURCE_DIR) + "/models/params/kernel/linux-2.4-objects.json");
  nlohmann::json doc = nlohmann::json::parse(in);
  EXPECT_DOUBLE_EQ(KernelObjects::from(models::ParamSet(doc, "objects.json"), 1500).io_request_lock.request, 1.0);
  doc["params"]["io_request_lock_share_of_scsi_done"]["value"] = 1.5;
  try {
    KernelObjects::from(models::ParamSet(doc, "objects.json"), 1500);
    FAIL() << "a share of 1.5 was taken";
  } catch (const models::ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("objects.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("io_request_lock_share_of_scsi_done"), std::string::npos);
  }
}

}  // namespace
}  // namespace iscsim::host::kernel
