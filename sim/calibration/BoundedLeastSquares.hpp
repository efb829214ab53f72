#pragma once
// Least squares with box bounds: minimize |A x - b|^2 subject to lo <= x <= hi, by an active
// set method (variables at a bound are fixed; the rest solved by QR; repeated until the
// Karush-Kuhn-Tucker conditions hold). Small dense problems: tens of unknowns.
#include <Eigen/Dense>

namespace iscsim::calibration {

struct BoundedFit {
  Eigen::VectorXd x;
  double residual_norm = 0;
  int iterations = 0;
  bool converged = false;
};

BoundedFit bounded_least_squares(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& lo,
                                 const Eigen::VectorXd& hi);

}  // namespace iscsim::calibration
