#include "sim/calibration/WorkSplit.hpp"

#include <cstdio>

#include "models/cpu/Bin.hpp"

namespace iscsim::calibration {

namespace {

bool is_idle_bin(const std::string& bin) { return bin == models::bin_name(models::Bin::Idle); }

// Table 1's instructions of `cpu` ("cpu0", "cpu1") over the non-idle bins of `workload`.
double paper_instructions(const nlohmann::json& reference, const std::string& workload, const std::string& cpu) {
  double sum = 0;
  for (const nlohmann::json& bin : reference.at("bins")) {
    const std::string name = bin.get<std::string>();
    if (is_idle_bin(name)) continue;
    const nlohmann::json& row = reference.at(workload).at(name);
    if (row.contains(cpu) && row.at(cpu).at("instr").is_number()) sum += row.at(cpu).at("instr").get<double>();
  }
  return sum;
}

// The run's instructions on CPU `id` over its non-idle bins.
double run_instructions(const nlohmann::json& results, std::size_t id) {
  double sum = 0;
  for (const auto& [name, bin] : results.at("cpus").at(id).at("bins").items())
    if (!is_idle_bin(name)) sum += bin.at("instr").get<double>();
  return sum;
}

}  // namespace

std::vector<WorkSplit> cpu1_over_cpu0_instructions(const nlohmann::json& reference, const Runs& runs) {
  std::vector<WorkSplit> out;
  for (const auto& [workload, results] : runs) {
    if (!reference.contains(workload) || results.at("cpus").size() != 2) continue;
    const double paper0 = paper_instructions(reference, workload, "cpu0");
    const double sim0 = run_instructions(results, 0);
    if (paper0 <= 0 || sim0 <= 0) continue;
    out.push_back({workload, paper_instructions(reference, workload, "cpu1") / paper0, run_instructions(results, 1) / sim0});
  }
  return out;
}

std::string work_split_text(const std::vector<WorkSplit>& splits) {
  if (splits.empty()) return {};
  std::string line = "instructions retired on CPU1 over CPU0 (non-idle bins), paper/model:";
  char item[64];
  for (const WorkSplit& s : splits) {
    std::snprintf(item, sizeof item, "  %s %.2f/%.2f", s.workload.c_str(), s.paper, s.sim);
    line += item;
  }
  return line + "\n";
}

nlohmann::json work_split_json(const std::vector<WorkSplit>& splits) {
  nlohmann::json out = nlohmann::json::array();
  for (const WorkSplit& s : splits) out.push_back({{"workload", s.workload}, {"paper", s.paper}, {"sim", s.sim}});
  return out;
}

}  // namespace iscsim::calibration
