#pragma once
// The rows a per-cycle rate compares, model against paper: each (workload, CPU) both sides hold,
// each bin of it, then its non-idle bins together. A rate over a row is a sum over its cells
// divided by their cycles, so the non-idle row weighs each bin by its cycles.
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {

inline constexpr const char* kNonIdle = "non-idle";

// One row's rate, model against paper, in the unit of the comparison that made it.
struct Rate {
  std::string workload;
  int cpu = 0;
  std::string rows;  // a bin, or kNonIdle: every bin but idle together
  double paper = 0;
  double sim = 0;
};

struct RateRow {
  std::string workload;
  int cpu = 0;
  std::string rows;  // a bin, or kNonIdle
  std::vector<const nlohmann::json*> paper;  // the paper's cells of the row (counters by name)
  std::vector<const nlohmann::json*> sim;    // the model's
};

// Pointers into `reference` and `runs`, which must outlive the result.
std::vector<RateRow> rate_rows(const nlohmann::json& reference, const Runs& runs);

// Per 1,000 cycles: `scale` x the sum of counter `key` over the cells, over their cycles (0 when
// they have none).
double per_thousand_cycles(const std::vector<const nlohmann::json*>& cells, const char* key, double scale = 1);
// Per 1,000 of the cells' cycles: `scale` x `n` (0 when they have none).
double per_thousand_cycles_of(const std::vector<const nlohmann::json*>& cells, double n, double scale = 1);

// One line per (workload, CPU) of `rates` (a `Rate` or what extends one), in their order: each
// row's name and its sim/paper pair printed with `pair_format` ("%.1f/%.1f").
template <class R>
std::string rate_table(const std::vector<R>& rates, const char* pair_format) {
  std::string out;
  std::string line;
  std::string at;
  for (const R& r : rates) {
    const std::string here = r.workload + " " + std::to_string(r.cpu);
    if (here != at) {
      if (!line.empty()) out += line + "\n";
      line = here;
      at = here;
    }
    char pair[64];
    std::snprintf(pair, sizeof pair, pair_format, r.sim, r.paper);
    line += "  " + r.rows + " " + pair;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

}  // namespace iscsim::calibration
