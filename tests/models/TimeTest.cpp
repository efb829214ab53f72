// Conversions to integer picoseconds round exactly as std::llround does (half away from zero),
// so replacing the library call changed no time anywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "models/common/Time.hpp"

namespace iscsim::models {
namespace {

TEST(Time, RoundPicosIsLlroundOnHalvesNeighboursAndRandomValues) {
  for (const double x : {0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, 4503599627370495.5,
                         4503599627370497.0, 1e15 + 0.5, -1e15 - 0.5, 833333.3333333334})
    EXPECT_EQ(round_picos(x), std::llround(x)) << x;
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> cycles(0, 1e9);
  for (int i = 0; i < 100000; ++i) {
    const double c = cycles(gen);
    EXPECT_EQ(picos_from_cycles(c, 2.4e9), std::llround(c / 2.4e9 * 1e12)) << c;
  }
}

}  // namespace
}  // namespace iscsim::models
