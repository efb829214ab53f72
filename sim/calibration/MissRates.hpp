#pragma once
// The L2 misses' magnitude, beside their unit-free shares: misses per 1,000 cycles of each
// (CPU, bin) cell and of each CPU's non-idle rows together, the paper's misses column over its
// cycles column (both normalized to the same work, as its CPI column shows for cycles and
// instructions) against the model's misses over its cycles. Shares can agree while every rate is
// off by one factor; the rates show that factor.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/calibration/Calibration.hpp"
#include "sim/calibration/RateRows.hpp"

namespace iscsim::calibration {

using MissRate = Rate;  // L2 misses per 1,000 cycles

// Every workload and CPU that both `reference` and `runs` hold: each bin, then the non-idle rows.
std::vector<MissRate> miss_rates(const nlohmann::json& reference, const Runs& runs);
// The table: a line per workload and CPU.
std::string miss_rates_text(const std::vector<MissRate>& rates);
nlohmann::json miss_rates_json(const std::vector<MissRate>& rates);

}  // namespace iscsim::calibration
