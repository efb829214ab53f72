// Linux 2.4's timer lists as the model keeps them: mod_timer takes the global lock, unlinks the
// timer from its old bucket (writing its neighbours), and links it at the tail of the bucket its
// expiry picks (tv1 by the jiffy, tv2.. beyond 256 jiffies); a timer that has run has no neighbours;
// del_timer unlinks it alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "sim/host/kernel/TimerWheel.hpp"

namespace iscsim::host::kernel {
namespace {

constexpr models::Picos kJiffy = 10'000'000'000;  // 10 ms: HZ = 100
constexpr std::uint32_t kLineBytes = 64;

TimerWheelLayout layout_2_4() { return {20, 8, 256, 64, 4}; }

std::vector<models::Addr> written(const TimerWheel::Call& call) {
  std::vector<models::Addr> a;
  for (const models::Touch& t : call.list()) a.push_back(t.addr);
  return a;
}

bool has(const std::vector<models::Addr>& v, models::Addr a) { return std::find(v.begin(), v.end(), a) != v.end(); }

struct WheelRig {
  models::AddressSpace memory{kLineBytes, 4096};
  TimerWheel wheel{memory, layout_2_4(), kJiffy};
  models::Addr a = memory.region(kLineBytes);
  models::Addr b = memory.region(kLineBytes);
};

TEST(TimerWheel, AFirstModTimerTakesTheLockWritesTheTimerAndLinksItToAnEmptyBucket) {
  WheelRig w;
  const TimerWheel::Call call = w.wheel.mod_timer(w.a, 24 * kJiffy, 4 * kJiffy);
  ASSERT_EQ(call.count, 3u);
  EXPECT_TRUE(call.touches[0].locked);  // timerlist_lock
  EXPECT_EQ(call.touches[1].addr, w.a);
  EXPECT_EQ(call.touches[1].bytes, 20u);
  EXPECT_EQ(call.touches[2].addr, w.wheel.bucket(24, 4));
  EXPECT_EQ(w.wheel.queued(w.wheel.bucket(24, 4), 4 * kJiffy), std::vector<models::Addr>{w.a});
}

TEST(TimerWheel, ATimerJoiningABucketWritesTheOldTailAndLeavingItWritesBothNeighbours) {
  WheelRig w;
  w.wheel.mod_timer(w.a, 24 * kJiffy, 4 * kJiffy);
  const TimerWheel::Call second = w.wheel.mod_timer(w.b, 24 * kJiffy, 4 * kJiffy);
  EXPECT_TRUE(has(written(second), w.a));  // list_add: the old tail's next
  const models::Addr head = w.wheel.bucket(24, 4);
  EXPECT_EQ(w.wheel.queued(head, 4 * kJiffy), (std::vector<models::Addr>{w.a, w.b}));
  // a leaves between the head and b, and rejoins after b.
  const TimerWheel::Call again = w.wheel.mod_timer(w.a, 24 * kJiffy, 4 * kJiffy);
  const std::vector<models::Addr> lines = written(again);
  EXPECT_TRUE(has(lines, head));
  EXPECT_TRUE(has(lines, w.b));
  EXPECT_EQ(lines.size(), 4u);  // lock, a, head, b: each line once
  EXPECT_EQ(w.wheel.queued(head, 4 * kJiffy), (std::vector<models::Addr>{w.b, w.a}));
}

TEST(TimerWheel, ATimerThatHasRunIsNotUnlinkedAgain) {
  WheelRig w;
  w.wheel.mod_timer(w.a, 8 * kJiffy, 4 * kJiffy);
  w.wheel.mod_timer(w.b, 8 * kJiffy, 4 * kJiffy);
  // At jiffy 9 both have run: a's new bucket is empty, and it has no old neighbours.
  const TimerWheel::Call call = w.wheel.mod_timer(w.a, 30 * kJiffy, 9 * kJiffy);
  ASSERT_EQ(call.count, 3u);
  EXPECT_EQ(call.touches[1].addr, w.a);
  EXPECT_EQ(call.touches[2].addr, w.wheel.bucket(30, 9));
  EXPECT_TRUE(w.wheel.queued(w.wheel.bucket(8, 4), 9 * kJiffy).empty());
}

TEST(TimerWheel, BucketsFollowInternalAddTimer) {
  WheelRig w;
  const std::uint64_t now = 1000;
  // tv1: one bucket per jiffy of the next 256, by the jiffy's low 8 bits; its buckets 8 B apart.
  EXPECT_EQ(w.wheel.bucket(now + 20, now) - w.wheel.bucket(now + 19, now), 8u);
  // 256 jiffies ahead is past tv1: not the bucket of its low bits, which is now's.
  EXPECT_NE(w.wheel.bucket(now + 256, now), w.wheel.bucket(now, now));
  // tv2 beyond: the same bucket for every jiffy of one 256-jiffy span, another for the next.
  const models::Addr far = w.wheel.bucket(now + 300, now);
  EXPECT_EQ(far, w.wheel.bucket((now + 300) | 255, now));
  EXPECT_NE(far, w.wheel.bucket(now + 300 + 256, now));
  EXPECT_NE(far, w.wheel.bucket(now + 20, now));
  // A timer already due goes into the bucket run next.
  EXPECT_EQ(w.wheel.bucket(now - 5, now), w.wheel.bucket(now, now));
}

TEST(TimerWheel, WithoutATickOnlyTheLockAndTheTimerAreWritten) {
  models::AddressSpace memory{kLineBytes, 4096};
  TimerWheel wheel{memory, layout_2_4(), 0};
  const models::Addr a = memory.region(kLineBytes);
  wheel.mod_timer(memory.region(kLineBytes), 24 * kJiffy, 4 * kJiffy);
  const TimerWheel::Call call = wheel.mod_timer(a, 24 * kJiffy, 4 * kJiffy);
  ASSERT_EQ(call.count, 2u);
  EXPECT_EQ(call.touches[1].addr, a);
}

TEST(TimerWheel, WithoutTimerLinesNothingIsTouched) {
  models::AddressSpace memory{kLineBytes, 4096};
  TimerWheelLayout off = layout_2_4();
  off.timer_list_bytes = 0;
  TimerWheel wheel{memory, off, kJiffy};
  EXPECT_FALSE(wheel.modelled());
  EXPECT_EQ(wheel.mod_timer(memory.region(kLineBytes), 24 * kJiffy, 4 * kJiffy).count, 0u);
}

TEST(TimerWheel, DelTimerUnlinksAPendingTimerOnceAndLinksNothing) {
  WheelRig w;
  w.wheel.mod_timer(w.a, 24 * kJiffy, 4 * kJiffy);
  w.wheel.mod_timer(w.b, 24 * kJiffy, 4 * kJiffy);
  const models::Addr head = w.wheel.bucket(24, 4);
  const TimerWheel::Call del = w.wheel.del_timer(w.b, 5 * kJiffy);
  EXPECT_TRUE(del.touches[0].locked);
  EXPECT_TRUE(has(written(del), w.b));
  EXPECT_TRUE(has(written(del), w.a));   // its prev's next
  EXPECT_TRUE(has(written(del), head));  // the head's prev: it was the tail
  EXPECT_EQ(w.wheel.queued(head, 5 * kJiffy), std::vector<models::Addr>{w.a});
  // No longer pending: a second del_timer finds no neighbours, only the lock and the timer.
  EXPECT_EQ(w.wheel.del_timer(w.b, 5 * kJiffy).count, 2u);
}

}  // namespace
}  // namespace iscsim::host::kernel
