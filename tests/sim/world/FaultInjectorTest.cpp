#include <gtest/gtest.h>

#include "sim/world/FaultInjector.hpp"

namespace iscsim::world {
namespace {

scenario::LinkSpec link(double loss, double dup = 0) {
  scenario::LinkSpec l;
  l.loss_rate = loss;
  l.duplicate_rate = dup;
  l.reorder_delay_us = 50;
  return l;
}

TEST(FaultInjector, CleanLinkDeliversOneCopy) {
  FaultInjector f(link(0), 1);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(f.decide().size(), 1u);
  EXPECT_FALSE(f.active());
}

TEST(FaultInjector, LossRateIsHonoured) {
  FaultInjector f(link(0.1), 7);
  constexpr int kFrames = 100000;
  for (int i = 0; i < kFrames; ++i) f.decide();
  EXPECT_NEAR(static_cast<double>(f.counters().lost) / kFrames, 0.1, 0.005);
}

TEST(FaultInjector, SameSeedSameDecisions) {
  FaultInjector a(link(0.2, 0.1), 42), b(link(0.2, 0.1), 42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.decide().size(), b.decide().size());
}

TEST(FaultInjector, CorruptionChangesExactlyOneByteInRange) {
  scenario::LinkSpec l;
  l.corrupt_rate = 1;
  FaultInjector f(l, 3);
  for (int i = 0; i < 200; ++i) {
    std::vector<std::uint8_t> frame(100, 0xAB);
    f.corrupt(frame, 14, 60);
    int changed = 0;
    for (std::size_t j = 0; j < frame.size(); ++j) {
      if (frame[j] != 0xAB) {
        ++changed;
        EXPECT_GE(j, 14u);
        EXPECT_LT(j, 60u);
      }
    }
    EXPECT_EQ(changed, 1);
  }
}

}  // namespace
}  // namespace iscsim::world
