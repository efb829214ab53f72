#include "sim/calibration/ClearRates.hpp"

#include <cstdio>
#include <string>

namespace iscsim::calibration {

std::vector<ClearRate> clear_rates(const nlohmann::json& reference, const Runs& runs, double clear_penalty_cycles) {
  std::vector<ClearRate> out;
  for (const RateRow& row : rate_rows(reference, runs)) {
    ClearRate r{{row.workload, row.cpu, row.rows, per_thousand_cycles(row.paper, "clears"),
                 per_thousand_cycles(row.sim, "clears", clear_penalty_cycles)},
                {}};
    // The model's cells say what cleared them; their rates by cause add up to `sim`.
    std::array<double, models::kClearCauseCount> by_cause{};
    for (const nlohmann::json* cell : row.sim) {
      if (!cell->contains("clears_by_cause")) continue;
      const nlohmann::json& causes = cell->at("clears_by_cause");
      for (std::size_t i = 0; i < models::kClearCauseCount; ++i)
        if (causes.contains(models::kClearCauseNames[i])) by_cause[i] += causes.at(models::kClearCauseNames[i]).get<double>();
    }
    for (std::size_t i = 0; i < by_cause.size(); ++i)
      r.sim_by_cause[i] = per_thousand_cycles_of(row.sim, by_cause[i], clear_penalty_cycles);
    out.push_back(std::move(r));
  }
  return out;
}

std::string clear_rates_text(const std::vector<ClearRate>& rates) {
  std::string out =
      "cleared cycles per 1,000 cycles, model/paper (the paper's clears column read as cycles; the model's clears x "
      "their penalty)\n" +
      rate_table(rates, "%.1f/%.1f");
  out += "the model's non-idle rows by cause, cleared cycles per 1,000 cycles:";
  for (const char* cause : models::kClearCauseNames) out += std::string(" ") + cause;
  out += "\n";
  for (const ClearRate& r : rates) {
    if (r.rows != kNonIdle) continue;
    out += r.workload + " " + std::to_string(r.cpu) + " ";
    for (double v : r.sim_by_cause) {
      char cell[32];
      std::snprintf(cell, sizeof cell, " %.2f", v);
      out += cell;
    }
    out += "\n";
  }
  return out;
}

nlohmann::json clear_rates_json(const std::vector<ClearRate>& rates) {
  nlohmann::json out = nlohmann::json::array();
  for (const ClearRate& r : rates) {
    nlohmann::json causes = nlohmann::json::object();
    for (std::size_t i = 0; i < models::kClearCauseCount; ++i) causes[models::kClearCauseNames[i]] = r.sim_by_cause[i];
    out.push_back({{"workload", r.workload}, {"cpu", r.cpu}, {"rows", r.rows},
                   {"cleared_cycles_per_1000", {{"sim", r.sim}, {"paper", r.paper}, {"sim_by_cause", causes}}}});
  }
  return out;
}

}  // namespace iscsim::calibration
