// The box-bounded least-squares solver on cases with known answers.
#include <gtest/gtest.h>

#include "sim/calibration/BoundedLeastSquares.hpp"

namespace iscsim::calibration {
namespace {

TEST(BoundedLeastSquares, InteriorSolutionIsTheUnconstrainedOne) {
  Eigen::MatrixXd a(3, 2);
  a << 1, 0, 0, 1, 1, 1;
  Eigen::VectorXd b(3);
  b << 1, 2, 3;
  const BoundedFit f = bounded_least_squares(a, b, Eigen::VectorXd::Constant(2, -10), Eigen::VectorXd::Constant(2, 10));
  EXPECT_TRUE(f.converged);
  EXPECT_NEAR(f.x[0], 1, 1e-9);
  EXPECT_NEAR(f.x[1], 2, 1e-9);
  EXPECT_NEAR(f.residual_norm, 0, 1e-9);
}

TEST(BoundedLeastSquares, ABoundThatBitesHoldsAndTheRestRefits) {
  // x0 + x1 = 4 and x0 - x1 = 0 give (2, 2); with x0 <= 1 the best is x0 = 1, x1 = 2.
  Eigen::MatrixXd a(2, 2);
  a << 1, 1, 1, -1;
  Eigen::VectorXd b(2);
  b << 4, 0;
  Eigen::VectorXd lo(2), hi(2);
  lo << 0, 0;
  hi << 1, 10;
  const BoundedFit f = bounded_least_squares(a, b, lo, hi);
  EXPECT_TRUE(f.converged);
  EXPECT_NEAR(f.x[0], 1, 1e-9);
  EXPECT_NEAR(f.x[1], 2, 1e-9);
}

TEST(BoundedLeastSquares, EqualBoundsFixTheVariable) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(2, 2);
  Eigen::VectorXd b(2);
  b << 5, 5;
  Eigen::VectorXd lo(2), hi(2);
  lo << 3, 0;
  hi << 3, 10;
  const BoundedFit f = bounded_least_squares(a, b, lo, hi);
  EXPECT_DOUBLE_EQ(f.x[0], 3);
  EXPECT_NEAR(f.x[1], 5, 1e-9);
}

TEST(BoundedLeastSquares, InconsistentBoundsAreRejected) {
  Eigen::MatrixXd a = Eigen::MatrixXd::Identity(1, 1);
  Eigen::VectorXd b = Eigen::VectorXd::Ones(1);
  EXPECT_THROW(bounded_least_squares(a, b, Eigen::VectorXd::Constant(1, 2), Eigen::VectorXd::Constant(1, 1)),
               std::invalid_argument);
}

}  // namespace
}  // namespace iscsim::calibration
