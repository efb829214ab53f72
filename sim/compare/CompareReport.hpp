#pragma once
// A Comparison written out: Table 2 and the summaries as text for the terminal, compare.json
// (everything, empty values as null) and the tidy compare.csv.
#include <string>

#include <nlohmann/json.hpp>

#include "sim/compare/Comparison.hpp"

namespace iscsim::compare {

std::string comparison_text(const Comparison& c);
nlohmann::json comparison_json(const Comparison& c);
// compare.csv: section,role,bin,counter,base,other,improvement_pct,change_pct; one row per
// Table 2 bin x counter (section table2), per role x bin x counter (role), per summary metric
// (summary) and per denominator (base_total); empty cells where a value does not apply.
std::string comparison_csv(const Comparison& c);

}  // namespace iscsim::compare
