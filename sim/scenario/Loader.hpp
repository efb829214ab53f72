#pragma once
// Reads a scenario: the JSON file, its `extends` chain, the --set overrides, strict validation
// against the schema, defaults filled in, then the typed view.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/Scenario.hpp"
#include "sim/scenario/ScenarioError.hpp"

namespace iscsim::scenario {

// `overrides` are "PATH=VALUE" strings; VALUE is JSON when it parses as JSON, else a string.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& overrides = {});

// The same from a document in memory; `source_name` names it in messages and `base_dir`
// resolves a relative `extends`.
Scenario load_scenario_json(const nlohmann::json& doc, const std::string& source_name,
                            const std::vector<std::string>& overrides = {}, const std::string& base_dir = ".");

}  // namespace iscsim::scenario
