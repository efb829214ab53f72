#pragma once
// The paper's Table 2 between two runs (OTHER over BASE), per-role subtotals and the summary
// figures side by side. Counters are summed over all CPUs, whatever their role.
#include <optional>
#include <string>
#include <vector>

#include "sim/compare/RunResults.hpp"

namespace iscsim::compare {

// The name of Table 2's last row: all non-idle bins together.
inline constexpr const char* kTotalRow = "TOTAL";

// Paper section 5.3: (bin_BASE / total_BASE) x (1 - bin_OTHER / bin_BASE), in percent, with
// total_BASE including the idle bin. Empty when bin_BASE or total_BASE is 0 (no ratio exists).
std::optional<double> improvement_pct(double bin_base, double total_base, double bin_other);

// One counter of one Table 2 row: the sums over CPUs (per MB of payload) and the improvement.
struct CounterComparison {
  std::string counter;
  double base = 0;
  double other = 0;
  std::optional<double> improvement_pct;
};

struct Table2Row {
  std::string bin;  // a non-idle bin, or kTotalRow
  std::vector<CounterComparison> counters;  // in kCounters order
};

// One role's CPUs of one run, their counters summed per bin (pct_cpu summed too).
struct RoleSubtotal {
  std::string role;
  int cpus = 0;
  BinCounters bins;
};

// A summary figure of both runs (one that either results.json holds); empty where a run has
// none (null or absent).
struct SummaryComparison {
  std::string metric;
  std::optional<double> base;
  std::optional<double> other;
  std::optional<double> change_pct;  // (other / base - 1) x 100
};

struct Comparison {
  std::string base_path, other_path, base_label, other_label, base_scenario, other_scenario;
  nlohmann::json workload;
  double frequency_ghz = 0;
  std::vector<CounterComparison> base_totals;  // every bin including idle, the denominators
  std::vector<Table2Row> rows;                 // the non-idle bins in the paper's order, then TOTAL
  std::vector<RoleSubtotal> base_roles, other_roles;
  bool roles_differ = false;
  std::vector<SummaryComparison> summary;
};

// The summary keys compared, as results.json names them.
inline constexpr const char* kSummaryMetrics[] = {"throughput_MBps", "iops", "cpu_util_pct", "ghz_per_gbps",
                                                  "cpu_dedicated_pct", "ghz_per_gbps_dedicated"};

// Checks that the runs are comparable (check_comparable) and compares them.
Comparison compare_runs(const RunResults& base, const RunResults& other);

}  // namespace iscsim::compare
