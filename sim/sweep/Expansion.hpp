#pragma once
// Turns a sweep file into its points: the cartesian product of the grid axes and the zipped
// groups, less the combinations a constraint drops, each with a stable id.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/SweepSpec.hpp"

namespace iscsim::sweep {

struct Point {
  // Derived from the axis values only: the same values give the same id in every run, on
  // every machine and whatever the order of the keys in the file.
  std::string id;
  std::vector<std::pair<std::string, nlohmann::json>> axes;  // in the order of spec.axis_keys()
  std::vector<std::string> overrides;                       // PATH=VALUE: the fixed ones, then the axes
};

// In enumeration order: the first axis varies slowest. Throws SpecError when a constraint
// cannot be evaluated or when no point is left.
std::vector<Point> expand(const SweepSpec& spec);

// Loads every point's scenario (base, fixed overrides, axis values) as `iscsim run` would;
// throws SpecError naming the point and, where it can, the sweep file's key at fault.
void check_points(const SweepSpec& spec, const std::vector<Point>& points);

// An axis or table value as text: a string as it is, null as nothing, anything else as JSON.
std::string value_text(const nlohmann::json& v);

// The id of a point with these axis values (exposed for tests).
std::string point_id(const std::vector<std::pair<std::string, nlohmann::json>>& axes);

}  // namespace iscsim::sweep
