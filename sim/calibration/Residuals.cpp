#include "sim/calibration/Residuals.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace iscsim::calibration {

namespace {
// A value within this fraction of its range from a bound counts as on it.
constexpr double kOnBound = 1e-6;
}  // namespace

std::vector<PathDrift> drifts(const models::CodePathCatalog& fitted, const models::CodePathCatalog& prior,
                              double limit) {
  std::vector<PathDrift> out;
  for (models::PathId p = 0; p < fitted.size(); ++p) {
    const models::CodePath& f = fitted[p];
    const models::CodePath& s = prior[prior.id(f.name)];
    const auto check = [&](const char* what, double sourced, double now) {
      if (sourced <= 0 && now <= 0) return;
      const double ratio = sourced > 0 ? now / sourced : INFINITY;
      if (ratio > limit || ratio < 1 / limit) out.push_back(PathDrift{f.name, what, sourced, now, ratio});
    };
    check("compute cycles per call", s.instr_per_call.value * s.cpi.value, f.instr_per_call.value * f.cpi.value);
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
                              const std::vector<std::string>& bounds) {
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
  return {{"cells", cells},
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
}

std::string drift_text(const std::vector<PathDrift>& drift, const std::vector<std::string>& bounds) {
  std::ostringstream out;
  out << "paths whose compute cycles moved beyond 3x of their source (core cycles, like for like): " << drift.size()
      << "\n";
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
