#include "sim/calibration/BoundedLeastSquares.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace iscsim::calibration {

namespace {
// Each pass fixes or frees at least one variable; this bounds the passes generously.
constexpr int kPassesPerVariable = 4;
constexpr double kTolerance = 1e-12;
}  // namespace

BoundedFit bounded_least_squares(const Eigen::MatrixXd& a, const Eigen::VectorXd& b, const Eigen::VectorXd& lo,
                                 const Eigen::VectorXd& hi) {
  const Eigen::Index n = a.cols();
  if (a.rows() != b.size() || lo.size() != n || hi.size() != n)
    throw std::invalid_argument("bounded_least_squares: dimensions of A, b and the bounds disagree");
  for (Eigen::Index i = 0; i < n; ++i)
    if (lo[i] > hi[i]) throw std::invalid_argument("bounded_least_squares: a lower bound exceeds its upper bound");
  BoundedFit fit;
  fit.x = lo.cwiseMax(Eigen::VectorXd::Zero(n)).cwiseMin(hi);
  std::vector<bool> fixed(static_cast<std::size_t>(n), false);
  for (int pass = 0; pass < kPassesPerVariable * static_cast<int>(n) + 1; ++pass) {
    fit.iterations = pass + 1;
    // Solve for the free variables with the fixed ones at their bounds.
    std::vector<Eigen::Index> free;
    for (Eigen::Index i = 0; i < n; ++i)
      if (!fixed[static_cast<std::size_t>(i)]) free.push_back(i);
    Eigen::VectorXd rhs = b;
    for (Eigen::Index i = 0; i < n; ++i)
      if (fixed[static_cast<std::size_t>(i)]) rhs -= a.col(i) * fit.x[i];
    if (!free.empty()) {
      Eigen::MatrixXd af(a.rows(), static_cast<Eigen::Index>(free.size()));
      for (std::size_t k = 0; k < free.size(); ++k) af.col(static_cast<Eigen::Index>(k)) = a.col(free[k]);
      const Eigen::VectorXd xf = af.colPivHouseholderQr().solve(rhs);
      // Step from the current feasible point towards the free solution as far as the bounds allow.
      double step = 1.0;
      Eigen::Index blocking = -1;
      for (std::size_t k = 0; k < free.size(); ++k) {
        const Eigen::Index i = free[k];
        const double target = xf[static_cast<Eigen::Index>(k)];
        const double d = target - fit.x[i];
        if (target > hi[i] + kTolerance && d > 0) {
          const double t = (hi[i] - fit.x[i]) / d;
          if (t < step) step = t, blocking = i;
        } else if (target < lo[i] - kTolerance && d < 0) {
          const double t = (lo[i] - fit.x[i]) / d;
          if (t < step) step = t, blocking = i;
        }
      }
      for (std::size_t k = 0; k < free.size(); ++k) {
        const Eigen::Index i = free[k];
        fit.x[i] += step * (xf[static_cast<Eigen::Index>(k)] - fit.x[i]);
        fit.x[i] = std::min(hi[i], std::max(lo[i], fit.x[i]));
      }
      if (blocking >= 0) {
        fixed[static_cast<std::size_t>(blocking)] = true;
        continue;
      }
    }
    // KKT: a fixed variable whose gradient points into the box is freed.
    const Eigen::VectorXd gradient = a.transpose() * (a * fit.x - b);
    Eigen::Index release = -1;
    double best = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (!fixed[static_cast<std::size_t>(i)] || lo[i] == hi[i]) continue;
      const bool at_low = fit.x[i] <= lo[i] + kTolerance;
      const double g = gradient[i];
      const double gain = at_low ? -g : g;  // > 0: moving inwards lowers the residual
      if (gain > best + kTolerance) best = gain, release = i;
    }
    if (release < 0) {
      fit.converged = true;
      break;
    }
    fixed[static_cast<std::size_t>(release)] = false;
  }
  fit.residual_norm = (a * fit.x - b).norm();
  return fit;
}

}  // namespace iscsim::calibration
