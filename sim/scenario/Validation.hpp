#pragma once
// Checks scenario JSON against the schema and phrases what is wrong for a person to fix.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/Schema.hpp"

namespace iscsim::scenario {

// Throws ScenarioError(file, path, ...) for unknown keys, wrong types and values out of range.
void validate_document(const nlohmann::json& doc, const std::string& file, const std::string& prefix = "");
// Checks one value (and returns it normalized, e.g. 2.0 -> 2 for an integer key).
nlohmann::json check_value(const KeySpec& spec, const nlohmann::json& value, const std::string& file);
// "unknown key; allowed keys: a, b; did you mean "a"?" for `name` under `prefix`.
std::string unknown_key_message(const std::string& prefix, const std::string& name);
// The closest candidate by edit distance, or "" when none is close.
std::string closest_match(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace iscsim::scenario
