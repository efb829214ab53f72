#pragma once
// The parameter sets a scenario names (CPU, cache, kernel, code paths, NIC, PCI, RAM disk, AMP
// queues), checked before anything is built: a name that is no file under models/params/ is
// bad input, refused with the key and the names there are.
#include <string>

#include "sim/scenario/Scenario.hpp"

namespace iscsim::run {

// Throws scenario::ScenarioError naming the scenario file, the key and the allowed names when a
// set does not exist (a name ending in .json is a file of its own and must exist as given).
void check_parameter_sets(const scenario::Scenario& s, const std::string& params_dir);

}  // namespace iscsim::run
