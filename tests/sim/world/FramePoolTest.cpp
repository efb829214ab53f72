#include <gtest/gtest.h>

#include "sim/world/FramePool.hpp"

namespace iscsim::world {
namespace {

TEST(FramePool, AGivenBufferIsTakenAgainWithItsCapacity) {
  FramePool pool;
  EXPECT_EQ(pool.take().capacity(), 0u);  // nothing given yet: a fresh, empty frame
  Frame f(1514, 0xAB);
  const std::uint8_t* buffer = f.data();
  pool.give(std::move(f));
  const Frame again = pool.take();
  EXPECT_EQ(again.data(), buffer);
  EXPECT_GE(again.capacity(), 1514u);
  EXPECT_EQ(pool.take().capacity(), 0u);  // each buffer is handed out once
}

TEST(FramePool, AMovedFromFrameIsNotKept) {
  FramePool pool;
  Frame f(60, 0);
  Frame taken = std::move(f);
  pool.give(std::move(f));  // NOLINT(bugprone-use-after-move): the moved-from shell is what is tested
  EXPECT_EQ(pool.take().capacity(), 0u);
  EXPECT_EQ(taken.size(), 60u);
}

}  // namespace
}  // namespace iscsim::world
