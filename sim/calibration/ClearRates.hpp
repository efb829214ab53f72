#pragma once
// The machine clears' magnitude, beside their unit-free shares: cleared cycles per 1,000 cycles
// of each (CPU, bin) cell and of each CPU's non-idle rows together. OProfile's P4 MACHINE_CLEAR
// counts cycles with the machine cleared by default (models/COST-MODEL.md), so the paper's clears column over
// its cycles is such a rate; the model's is its clears times their penalty over its cycles. A
// spinning idle loop takes clears only from what interrupts it, so its rate checks that part alone.
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/CpuCounters.hpp"
#include "sim/calibration/Calibration.hpp"
#include "sim/calibration/RateRows.hpp"

namespace iscsim::calibration {

// Cleared cycles per 1,000 cycles.
struct ClearRate : Rate {
  std::array<double, models::kClearCauseCount> sim_by_cause{};  // `sim` split by what cleared
};

// Every workload and CPU that both `reference` and `runs` hold: each bin, then the non-idle rows.
std::vector<ClearRate> clear_rates(const nlohmann::json& reference, const Runs& runs, double clear_penalty_cycles);
// The table, then the model's non-idle rates split by cause.
std::string clear_rates_text(const std::vector<ClearRate>& rates);
nlohmann::json clear_rates_json(const std::vector<ClearRate>& rates);

}  // namespace iscsim::calibration
