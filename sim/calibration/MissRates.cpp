#include "sim/calibration/MissRates.hpp"

namespace iscsim::calibration {

std::vector<MissRate> miss_rates(const nlohmann::json& reference, const Runs& runs) {
  std::vector<MissRate> out;
  for (const RateRow& row : rate_rows(reference, runs))
    out.push_back({row.workload, row.cpu, row.rows, per_thousand_cycles(row.paper, "l2_misses"),
                   per_thousand_cycles(row.sim, "l2_misses")});
  return out;
}

std::string miss_rates_text(const std::vector<MissRate>& rates) {
  return "L2 misses per 1,000 cycles, model/paper (each side's misses over its cycles)\n" +
         rate_table(rates, "%.2f/%.2f");
}

nlohmann::json miss_rates_json(const std::vector<MissRate>& rates) {
  nlohmann::json out = nlohmann::json::array();
  for (const MissRate& r : rates)
    out.push_back({{"workload", r.workload}, {"cpu", r.cpu}, {"rows", r.rows},
                   {"l2_misses_per_1000_cycles", {{"sim", r.sim}, {"paper", r.paper}}}});
  return out;
}

}  // namespace iscsim::calibration
