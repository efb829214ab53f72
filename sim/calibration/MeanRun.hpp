#pragma once
// The mean of several runs of one scenario (results.json documents that differ only in their
// seeds): what calibration fits when it averages over the NICs' clock draws.
#include <vector>

#include <nlohmann/json.hpp>

namespace iscsim::calibration {

// Every number is the mean over `runs`; a number an object lacks in some run counts as 0 there
// (a path not called). Arrays are averaged element by element, objects key by key; anything
// else (text, a null CPI) is the first run's. Throws std::invalid_argument on no runs.
nlohmann::json mean_run(const std::vector<nlohmann::json>& runs);

}  // namespace iscsim::calibration
