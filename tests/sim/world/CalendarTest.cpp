#include <gtest/gtest.h>

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

}  // namespace
}  // namespace iscsim::world
