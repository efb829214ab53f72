#include "sim/calibration/RateRows.hpp"

namespace iscsim::calibration {

namespace {
constexpr double kPerThousand = 1000;
const char* const kIdle = "idle";

double cycles_of(const std::vector<const nlohmann::json*>& cells) {
  double cycles = 0;
  for (const nlohmann::json* c : cells) cycles += c->at("cycles").get<double>();
  return cycles;
}
}  // namespace

std::vector<RateRow> rate_rows(const nlohmann::json& reference, const Runs& runs) {
  std::vector<RateRow> out;
  const auto names = reference.at("bins").get<std::vector<std::string>>();
  for (const auto& [workload, results] : runs) {
    if (!reference.contains(workload)) continue;
    const nlohmann::json& paper = reference.at(workload);
    const nlohmann::json& cpus = results.at("cpus");
    for (std::size_t i = 0; i < cpus.size(); ++i) {
      const std::string key = "cpu" + std::to_string(i);
      const nlohmann::json& bins = cpus[i].at("bins");
      const int cpu = static_cast<int>(i);
      RateRow busy{workload, cpu, kNonIdle, {}, {}};
      for (const std::string& b : names) {
        if (!paper.at(b).contains(key) || !bins.contains(b)) continue;
        const nlohmann::json* paper_cell = &paper.at(b).at(key);
        const nlohmann::json* sim_cell = &bins.at(b);
        out.push_back({workload, cpu, b, {paper_cell}, {sim_cell}});
        if (b == kIdle) continue;
        busy.paper.push_back(paper_cell);
        busy.sim.push_back(sim_cell);
      }
      if (cycles_of(busy.paper) > 0) out.push_back(std::move(busy));
    }
  }
  return out;
}

double per_thousand_cycles(const std::vector<const nlohmann::json*>& cells, const char* key, double scale) {
  double n = 0;
  for (const nlohmann::json* c : cells) n += c->at(key).get<double>();
  return per_thousand_cycles_of(cells, n, scale);
}

double per_thousand_cycles_of(const std::vector<const nlohmann::json*>& cells, double n, double scale) {
  const double cycles = cycles_of(cells);
  return cycles > 0 ? kPerThousand * scale * n / cycles : 0;
}

}  // namespace iscsim::calibration
