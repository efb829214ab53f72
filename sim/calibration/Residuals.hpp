#pragma once
// What calibration reports beside the fit: the residuals as JSON, and how far each fitted path
// sits from its source (like for like: core compute cycles per call and per byte) and which
// values ended on a bound.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/CodePath.hpp"
#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {

// One path's fitted value against its sourced one.
struct PathDrift {
  std::string path;
  std::string what;       // "compute cycles per call", "compute cycles per byte"
  double sourced = 0;     // instructions x core CPI of the prior
  double fitted = 0;
  double ratio = 0;       // fitted / sourced
};
// Paths whose compute cycles per call or per byte moved beyond `limit` x (either way) from the
// sourced values; both sides are core (compute-only) cycles.
std::vector<PathDrift> drifts(const models::CodePathCatalog& fitted, const models::CodePathCatalog& prior,
                              double limit);
// "path.field = value (min|max bound)" for every fitted value on a bound of its range.
std::vector<std::string> on_bounds(const models::CodePathCatalog& fitted);

nlohmann::json residuals_json(const std::vector<BinError>& errors, const std::vector<PathDrift>& drift,
                              const std::vector<std::string>& bounds);
std::string drift_text(const std::vector<PathDrift>& drift, const std::vector<std::string>& bounds);

}  // namespace iscsim::calibration
