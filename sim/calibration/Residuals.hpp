#pragma once
// What calibration reports beside the fit: the residuals as JSON, and how far each fitted path
// sits from its source (like for like: per call, the path's total cycles against a source that
// counts total cycles where the path does no per-byte work, compute against compute otherwise)
// and which values ended on a bound.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/CodePath.hpp"
#include "sim/calibration/Calibration.hpp"
#include "sim/calibration/WorkTime.hpp"

namespace iscsim::calibration {

// One path's fitted value against its sourced one.
struct PathDrift {
  std::string path;
  std::string what;       // "total cycles per call", "compute cycles per call", "compute cycles per byte"
  double sourced = 0;     // instructions x CPI of the prior
  double fitted = 0;      // the fitted compute, plus the path's modelled stalls per call for a total
  double ratio = 0;       // fitted / sourced
};
// Memory and uncached-access stall cycles per call of each path, over every CPU of `runs`.
std::map<std::string, double> stall_cycles_per_call(const Runs& runs);
// Paths whose cycles per call or per byte moved beyond `limit` x (either way) from the sourced
// values, like for like: the per-call source of a path without per-byte work that counts total
// cycles is compared with the fitted compute plus `stalls` (the path's stalls per call); every
// other comparison is compute against compute (a path's stalls are not split between its calls
// and its bytes).
std::vector<PathDrift> drifts(const models::CodePathCatalog& fitted, const models::CodePathCatalog& prior,
                              const std::map<std::string, double>& stalls, double limit);
// "path.field = value (min|max bound)" for every fitted value on a bound of its range.
std::vector<std::string> on_bounds(const models::CodePathCatalog& fitted);

nlohmann::json residuals_json(const std::vector<BinError>& errors, const std::vector<PathDrift>& drift,
                              const std::vector<std::string>& bounds, const std::optional<WorkTimeRatio>& work_time);
std::string drift_text(const std::vector<PathDrift>& drift, const std::vector<std::string>& bounds);

}  // namespace iscsim::calibration
