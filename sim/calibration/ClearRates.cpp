#include "sim/calibration/ClearRates.hpp"

#include <cstdio>
#include <string>

namespace iscsim::calibration {

namespace {

constexpr double kPerThousand = 1000;
const char* const kIdle = "idle";

struct Sums {
  double cycles = 0;
  double clears = 0;
  std::array<double, models::kClearCauseCount> by_cause{};  // the model's cells only
  void add(const nlohmann::json& cell) {
    cycles += cell.at("cycles").get<double>();
    clears += cell.at("clears").get<double>();
    if (!cell.contains("clears_by_cause")) return;
    const nlohmann::json& causes = cell.at("clears_by_cause");
    for (std::size_t i = 0; i < models::kClearCauseCount; ++i)
      if (causes.contains(models::kClearCauseNames[i])) by_cause[i] += causes.at(models::kClearCauseNames[i]).get<double>();
  }
  double per_thousand(double cycles_per_clear, double n) const {
    return cycles > 0 ? kPerThousand * cycles_per_clear * n / cycles : 0;
  }
  double per_thousand(double cycles_per_clear) const { return per_thousand(cycles_per_clear, clears); }
  std::array<double, models::kClearCauseCount> per_thousand_by_cause(double cycles_per_clear) const {
    std::array<double, models::kClearCauseCount> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = per_thousand(cycles_per_clear, by_cause[i]);
    return out;
  }
};

ClearRate rate(const std::string& workload, int cpu, const std::string& rows, const Sums& paper, const Sums& sim,
               double clear_penalty_cycles) {
  return {workload, cpu, rows, paper.per_thousand(1), sim.per_thousand(clear_penalty_cycles),
          sim.per_thousand_by_cause(clear_penalty_cycles)};
}

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
        out.push_back(rate(workload, cpu, b, p, s, clear_penalty_cycles));
        if (b == kIdle) continue;
        paper_busy.add(paper_cell);
        sim_busy.add(bins.at(b));
      }
      if (paper_busy.cycles > 0)
        out.push_back(rate(workload, cpu, kNonIdle, paper_busy, sim_busy, clear_penalty_cycles));
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
