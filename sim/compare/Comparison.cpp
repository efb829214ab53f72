#include "sim/compare/Comparison.hpp"

#include <algorithm>

#include "models/cpu/Bin.hpp"
#include "sim/results/Units.hpp"

namespace iscsim::compare {

namespace {

const std::string kIdle(models::bin_name(models::Bin::Idle));

// Per bin and counter, the sum over every CPU of the run (zeros for the ideal host's none).
BinCounters summed(const RunResults& r) {
  BinCounters sum;
  for (std::string_view bin : models::kBinNames)
    for (const char* counter : kCounters) sum[std::string(bin)][counter] = 0;
  for (const CpuResults& cpu : r.cpus)
    for (const auto& [bin, counters] : cpu.bins)
      for (const auto& [counter, value] : counters) sum[bin][counter] += value;
  return sum;
}

double non_idle(const BinCounters& bins, const std::string& counter) {
  double total = 0;
  for (const auto& [bin, counters] : bins)
    if (bin != kIdle) total += counters.at(counter);
  return total;
}

std::vector<RoleSubtotal> by_role(const RunResults& r) {
  std::vector<RoleSubtotal> roles;
  for (const CpuResults& cpu : r.cpus) {
    auto it = std::find_if(roles.begin(), roles.end(), [&](const RoleSubtotal& s) { return s.role == cpu.role; });
    if (it == roles.end()) it = roles.insert(roles.end(), RoleSubtotal{cpu.role, 0, {}});
    ++it->cpus;
    for (const auto& [bin, counters] : cpu.bins)
      for (const auto& [counter, value] : counters) it->bins[bin][counter] += value;
  }
  return roles;
}

std::vector<std::string> role_names(const std::vector<RoleSubtotal>& roles) {
  std::vector<std::string> names;
  for (const RoleSubtotal& s : roles) names.push_back(s.role);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<double> summary_value(const nlohmann::json& summary, const std::string& key) {
  if (!summary.contains(key) || !summary[key].is_number()) return std::nullopt;
  return summary[key].get<double>();
}

}  // namespace

std::optional<double> improvement_pct(double bin_base, double total_base, double bin_other) {
  if (bin_base == 0 || total_base == 0) return std::nullopt;
  return world::kPercent * (bin_base / total_base) * (1.0 - bin_other / bin_base);
}

Comparison compare_runs(const RunResults& base, const RunResults& other) {
  check_comparable(base, other);
  Comparison c;
  c.base_path = base.path;
  c.other_path = other.path;
  c.base_label = base.label;
  c.other_label = other.label;
  c.base_scenario = base.scenario_name;
  c.other_scenario = other.scenario_name;
  c.workload = base.workload;
  c.frequency_ghz = base.frequency_ghz;

  const BinCounters a = summed(base);
  const BinCounters b = summed(other);
  for (const char* counter : kCounters) {
    double total = 0;
    for (const auto& [bin, counters] : a) total += counters.at(counter);
    c.base_totals.push_back(CounterComparison{counter, total, 0, std::nullopt});
  }
  const auto row = [&](const std::string& bin, auto base_value, auto other_value) {
    Table2Row r{bin, {}};
    for (std::size_t i = 0; i < std::size(kCounters); ++i) {
      const double x = base_value(kCounters[i]);
      const double y = other_value(kCounters[i]);
      r.counters.push_back(CounterComparison{kCounters[i], x, y, improvement_pct(x, c.base_totals[i].base, y)});
    }
    return r;
  };
  for (std::string_view name : models::kBinNames) {
    const std::string bin(name);
    if (bin == kIdle) continue;
    c.rows.push_back(row(bin, [&](const char* k) { return a.at(bin).at(k); },
                         [&](const char* k) { return b.at(bin).at(k); }));
  }
  c.rows.push_back(row(kTotalRow, [&](const char* k) { return non_idle(a, k); },
                       [&](const char* k) { return non_idle(b, k); }));

  c.base_roles = by_role(base);
  c.other_roles = by_role(other);
  c.roles_differ = role_names(c.base_roles) != role_names(c.other_roles);

  for (const char* metric : kSummaryMetrics) {
    if (!base.summary.contains(metric) && !other.summary.contains(metric)) continue;
    SummaryComparison s{metric, summary_value(base.summary, metric), summary_value(other.summary, metric), {}};
    if (s.base && s.other && *s.base != 0) s.change_pct = world::kPercent * (*s.other / *s.base - 1.0);
    c.summary.push_back(s);
  }
  return c;
}

}  // namespace iscsim::compare
