#include "sim/calibration/WorkTime.hpp"

#include <cstdio>
#include <string>

namespace iscsim::calibration {

namespace {

// One workload's cycles per unit of work: the mean over its CPUs of the sum over every bin.
double paper_cycles(const nlohmann::json& reference, const std::string& workload) {
  const nlohmann::json& w = reference.at(workload);
  double sum = 0;
  std::size_t cpus = 0;
  for (const auto& [cpu, ignored] : w.at(reference.at("bins").front().get<std::string>()).items()) {
    (void)ignored;
    for (const nlohmann::json& bin : reference.at("bins")) sum += w.at(bin.get<std::string>()).at(cpu).at("cycles").get<double>();
    ++cpus;
  }
  return cpus > 0 ? sum / static_cast<double>(cpus) : 0;
}

double run_throughput(const nlohmann::json& results) { return results.at("summary").at("throughput_MBps").get<double>(); }

}  // namespace

std::optional<WorkTimeRatio> write_over_read_time(const nlohmann::json& reference, const Runs& runs) {
  const auto w = runs.find("W");
  const auto r = runs.find("R");
  if (w == runs.end() || r == runs.end() || !reference.contains("W") || !reference.contains("R")) return std::nullopt;
  const double paper_reads = paper_cycles(reference, "R");
  const double sim_writes = run_throughput(w->second);
  if (paper_reads <= 0 || sim_writes <= 0) return std::nullopt;
  return WorkTimeRatio{paper_cycles(reference, "W") / paper_reads, run_throughput(r->second) / sim_writes};
}

std::string work_time_text(const std::optional<WorkTimeRatio>& ratio) {
  if (!ratio) return {};
  char line[256];
  std::snprintf(line, sizeof line,
                "time per unit of work, writes over reads: paper %.3f (Table 1's cycles, idle included), model %.3f "
                "(the reads' throughput over the writes')\n",
                ratio->paper, ratio->sim);
  return line;
}

}  // namespace iscsim::calibration
