#include "sim/calibration/ClearRates.hpp"

#include <cstdio>

namespace iscsim::calibration {

namespace {

constexpr double kPerThousand = 1000;
const char* const kIdle = "idle";

struct Sums {
  double cycles = 0;
  double clears = 0;
  void add(const nlohmann::json& cell) {
    cycles += cell.at("cycles").get<double>();
    clears += cell.at("clears").get<double>();
  }
  double per_thousand(double cycles_per_clear) const {
    return cycles > 0 ? kPerThousand * cycles_per_clear * clears / cycles : 0;
  }
};

}  // namespace

std::vector<ClearRate> clear_rates(const nlohmann::json& reference, const Runs& runs, double clear_penalty_cycles) {
  std::vector<ClearRate> out;
  const auto names = reference.at("bins").get<std::vector<std::string>>();
  for (const auto& [workload, results] : runs) {
    if (!reference.contains(workload)) continue;
    const nlohmann::json& paper = reference.at(workload);
    const nlohmann::json& cpus = results.at("cpus");
    for (std::size_t i = 0; i < cpus.size(); ++i) {
      const std::string key = "cpu" + std::to_string(i);
      const nlohmann::json& bins = cpus[i].at("bins");
      const int cpu = static_cast<int>(i);
      Sums paper_busy, sim_busy;
      for (const std::string& b : names) {
        if (!paper.at(b).contains(key) || !bins.contains(b)) continue;
        const nlohmann::json& paper_cell = paper.at(b).at(key);
        Sums p, s;
        p.add(paper_cell);
        s.add(bins.at(b));
        out.push_back({workload, cpu, b, p.per_thousand(1), s.per_thousand(clear_penalty_cycles)});
        if (b == kIdle) continue;
        paper_busy.add(paper_cell);
        sim_busy.add(bins.at(b));
      }
      if (paper_busy.cycles > 0)
        out.push_back({workload, cpu, kNonIdle, paper_busy.per_thousand(1), sim_busy.per_thousand(clear_penalty_cycles)});
    }
  }
  return out;
}

std::string clear_rates_text(const std::vector<ClearRate>& rates) {
  std::string out =
      "cleared cycles per 1,000 cycles, model/paper (the paper's clears column read as cycles; the model's clears x "
      "their penalty)\n";
  std::string row;
  std::string at;
  for (const ClearRate& r : rates) {
    const std::string here = r.workload + " " + std::to_string(r.cpu);
    if (here != at) {
      if (!row.empty()) out += row + "\n";
      row = here;
      at = here;
    }
    char cell[96];
    std::snprintf(cell, sizeof cell, "  %s %.1f/%.1f", r.rows.c_str(), r.sim, r.paper);
    row += cell;
  }
  if (!row.empty()) out += row + "\n";
  return out;
}

nlohmann::json clear_rates_json(const std::vector<ClearRate>& rates) {
  nlohmann::json out = nlohmann::json::array();
  for (const ClearRate& r : rates)
    out.push_back({{"workload", r.workload}, {"cpu", r.cpu}, {"rows", r.rows},
                   {"cleared_cycles_per_1000", {{"sim", r.sim}, {"paper", r.paper}}}});
  return out;
}

}  // namespace iscsim::calibration
