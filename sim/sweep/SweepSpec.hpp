#pragma once
// A sweep file, parsed and checked: a base scenario, fixed overrides, the axes (a grid and
// zipped groups) and the constraints that drop combinations. The format is documented in
// scenarios/README.md ("Sweeps").
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/ScenarioError.hpp"
#include "sim/sweep/Constraint.hpp"

namespace iscsim::sweep {

// A bad sweep file, reported like a bad scenario: "FILE: JSON path: message", exit status 2.
class SpecError : public scenario::ScenarioError {
 public:
  using scenario::ScenarioError::ScenarioError;
};

// One axis: a dotted scenario key and the values it takes, in the file's order.
struct Axis {
  std::string key;
  std::vector<nlohmann::json> values;
  std::string json_path;  // where the axis is written in the sweep file, for messages
};

// Axes that vary together: the i-th values of every member form one step.
struct ZipGroup {
  std::vector<Axis> members;
  std::size_t length() const { return members.front().values.size(); }
};

struct SweepSpec {
  std::string file;           // the sweep file as given
  std::string name;           // "name", else the file's stem
  std::string description;
  std::string scenario_path;  // the base scenario, absolute
  // Fixed overrides applied to every point, in the file's order.
  std::vector<std::pair<std::string, nlohmann::json>> fixed;
  std::vector<Axis> grid;
  std::vector<ZipGroup> zips;
  std::vector<Constraint> constraints;

  // The columns of the tables: grid keys, then zipped keys, in the file's order.
  std::vector<std::string> axis_keys() const;
  // What identifies the sweep: base scenario, overrides, axes and constraints (not the
  // description, not where the file lies).
  nlohmann::ordered_json identity() const;
};

// Reads and checks a sweep file; throws SpecError naming the file and the JSON path.
SweepSpec load_sweep_spec(const std::string& path);

}  // namespace iscsim::sweep
