#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

#include "sim/world/Calendar.hpp"

namespace iscsim::world {
namespace {

TEST(Calendar, RunsEventsInTimeThenSchedulingOrder) {
  Calendar c;
  std::vector<int> order;
  c.schedule(20, [&] { order.push_back(3); });
  c.schedule(10, [&] { order.push_back(1); });
  c.schedule(10, [&] { order.push_back(2); });
  while (!c.empty()) c.run_next();
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(c.now(), 20);
  EXPECT_EQ(c.events_run(), 3u);
}

TEST(Calendar, EventsScheduledInThePastRunNow) {
  Calendar c;
  Picos seen = -1;
  c.schedule(50, [&] { c.schedule(10, [&] { seen = c.now(); }); });
  while (!c.empty()) c.run_next();
  EXPECT_EQ(seen, 50);
}

TEST(Calendar, ManyEventsWithTiesAndNestedSchedulingRunInOrder) {
  // Random times with many ties, half of the events scheduling another from inside (which
  // reuses the slot just freed): each runs at its time, ties in the order they were scheduled.
  Calendar c;
  std::mt19937_64 rng(15);
  std::vector<std::pair<Picos, std::uint64_t>> ran;  // (time, scheduling order)
  std::uint64_t scheduled = 0;
  std::function<void(Picos)> add = [&](Picos at) {
    const std::uint64_t order = scheduled++;
    c.schedule(at, [&, at, order] {
      ran.emplace_back(c.now(), order);
      EXPECT_EQ(c.now(), at);
      if (order % 2 == 0 && scheduled < 20000) add(c.now() + static_cast<Picos>(rng() % 50));
    });
  };
  for (int i = 0; i < 5000; ++i) add(static_cast<Picos>(rng() % 1000));
  while (!c.empty()) c.run_next();
  ASSERT_EQ(ran.size(), scheduled);
  EXPECT_TRUE(std::is_sorted(ran.begin(), ran.end()));
}

}  // namespace
}  // namespace iscsim::world
