#include "sim/calibration/Residuals.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace iscsim::calibration {

namespace {
// A value within this fraction of its range from a bound counts as on it.
constexpr double kOnBound = 1e-6;
}  // namespace

std::map<std::string, double> stall_cycles_per_call(const Runs& runs) {
  std::map<std::string, std::pair<double, double>> sums;  // calls, stall cycles
  for (const auto& [workload, results] : runs) {
    (void)workload;
    for (const nlohmann::json& cpu : results.at("cpus"))
      for (const auto& [path, t] : cpu.at("paths_in_window").items()) {
        sums[path].first += t.at("calls").get<double>();
        sums[path].second += t.at("stall_cycles").get<double>();
      }
  }
  std::map<std::string, double> out;
  for (const auto& [path, s] : sums)
    if (s.first > 0) out[path] = s.second / s.first;
  return out;
}

std::vector<PathDrift> drifts(const models::CodePathCatalog& fitted, const models::CodePathCatalog& prior,
                              const std::map<std::string, double>& stalls, double limit) {
  std::vector<PathDrift> out;
  for (models::PathId p = 0; p < fitted.size(); ++p) {
    const models::CodePath& f = fitted[p];
    const models::CodePath& s = prior[prior.id(f.name)];
    const auto check = [&](const char* what, double sourced, double now) {
      if (sourced <= 0 && now <= 0) return;
      const double ratio = sourced > 0 ? now / sourced : INFINITY;
      if (ratio > limit || ratio < 1 / limit) out.push_back(PathDrift{f.name, what, sourced, now, ratio});
    };
    const double compute = f.instr_per_call.value * f.cpi.value;
    if (total_per_call(s)) {
      const auto it = stalls.find(f.name);
      check("total cycles per call", s.instr_per_call.value * s.cpi.value, compute + (it == stalls.end() ? 0 : it->second));
    } else {
      check("compute cycles per call", s.instr_per_call.value * s.cpi.value, compute);
    }
    check("compute cycles per byte", s.instr_per_byte.value * s.cpi.value, f.instr_per_byte.value * f.cpi.value);
  }
  return out;
}

std::vector<std::string> on_bounds(const models::CodePathCatalog& fitted) {
  std::vector<std::string> out;
  for (models::PathId p = 0; p < fitted.size(); ++p) {
    const models::CodePath& c = fitted[p];
    const auto check = [&](const char* field, const models::BoundedValue& v) {
      const double span = v.max - v.min;
      if (span <= 0) return;  // fixed, not fitted
      char line[256];
      if (v.value - v.min <= kOnBound * span)
        std::snprintf(line, sizeof line, "%s.%s = %g (its minimum)", c.name.c_str(), field, v.value);
      else if (v.max - v.value <= kOnBound * span)
        std::snprintf(line, sizeof line, "%s.%s = %g (its maximum)", c.name.c_str(), field, v.value);
      else
        return;
      out.emplace_back(line);
    };
    check("instr_per_call", c.instr_per_call);
    check("instr_per_byte", c.instr_per_byte);
    check("cpi", c.cpi);
  }
  return out;
}

nlohmann::json residuals_json(const std::vector<BinError>& errors, const std::vector<PathDrift>& drift,
                              const std::vector<std::string>& bounds, const std::optional<WorkTimeRatio>& work_time) {
  nlohmann::json cells = nlohmann::json::array();
  for (const BinError& e : errors)
    cells.push_back({{"workload", e.workload},
                     {"cpu", e.cpu},
                     {"bin", e.bin},
                     {"pct_cpu", {{"sim", e.sim_pct}, {"paper", e.paper_pct}}},
                     {"cpi", {{"sim", e.sim_cpi > 0 ? nlohmann::json(e.sim_cpi) : nlohmann::json(nullptr)},
                              {"paper", e.paper_cpi > 0 ? nlohmann::json(e.paper_cpi) : nlohmann::json(nullptr)}}},
                     {"clear_share_pct", {{"sim", e.sim_clear_share}, {"paper", e.paper_clear_share}}},
                     {"miss_share_pct", {{"sim", e.sim_miss_share}, {"paper", e.paper_miss_share}}}});
  const Targets t = targets(errors);
  nlohmann::json paths = nlohmann::json::array();
  for (const PathDrift& d : drift)
    paths.push_back({{"path", d.path}, {"what", d.what}, {"sourced", d.sourced}, {"fitted", d.fitted}, {"ratio", d.ratio}});
  nlohmann::json out = {{"cells", cells},
          {"targets", {{"pct_cpu_within_2_points", t.pct_ok},
                       {"cells", t.cells},
                       {"cpi_within_15_pct", t.cpi_ok},
                       {"cpi_cells", t.cpi_cells},
                       {"clear_share_within_3_points", t.clear_ok},
                       {"miss_share_within_3_points", t.miss_ok},
                       {"worst", {{"pct_cpu_points", t.worst_pct}, {"cpi_pct", t.worst_cpi},
                                  {"clear_share_points", t.worst_clear}, {"miss_share_points", t.worst_miss}}}}},
          {"paths_beyond_3x_of_source", paths},
          {"values_on_bounds", bounds}};
  if (work_time) out["time_per_work_write_over_read"] = {{"paper", work_time->paper}, {"sim", work_time->sim}};
  return out;
}

std::string drift_text(const std::vector<PathDrift>& drift, const std::vector<std::string>& bounds) {
  std::ostringstream out;
  out << "paths whose cycles moved beyond 3x of their source (like for like: total cycles per call where the "
         "source counts stalls and the path does no per-byte work, compute otherwise): "
      << drift.size() << "\n";
  char line[256];
  for (const PathDrift& d : drift) {
    std::snprintf(line, sizeof line, "  %-20s %-24s sourced %10.3f  fitted %10.3f  (%.2fx)\n", d.path.c_str(),
                  d.what.c_str(), d.sourced, d.fitted, d.ratio);
    out << line;
  }
  out << "values on a bound: " << bounds.size() << "\n";
  for (const std::string& b : bounds) out << "  " << b << "\n";
  return out.str();
}

}  // namespace iscsim::calibration
