#include "sim/calibration/Calibration.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "sim/calibration/BoundedLeastSquares.hpp"
#include "sim/calibration/Residuals.hpp"
#include "sim/results/Units.hpp"

namespace iscsim::calibration {

namespace {

using nlohmann::json;
constexpr double kHzPerGhz = 1e9;

std::string cpu_key(int id) { return "cpu" + std::to_string(id); }

struct RunView {
  const json* results;
  double payload_mb;
  double window_cycles(int cpu) const {
    const json& c = (*results)["cpus"][static_cast<std::size_t>(cpu)];
    return c["frequency_ghz"].get<double>() * kHzPerGhz * (*results)["summary"]["sim_time_s"].get<double>();
  }
  double bin_cycles(int cpu, const std::string& bin) const {
    return (*results)["cpus"][static_cast<std::size_t>(cpu)]["bins"][bin]["cycles"].get<double>() * payload_mb;
  }
  const json& paths(int cpu) const { return (*results)["cpus"][static_cast<std::size_t>(cpu)]["paths_in_window"]; }
};

RunView view(const json& results) {
  const double mb = results["summary"]["throughput_MBps"].get<double>() * results["summary"]["sim_time_s"].get<double>();
  if (!(mb > 0)) throw std::runtime_error("calibration: a reference run moved no payload in its window");
  if (!results.contains("cpus") || results["cpus"].empty() || !results["cpus"][0].contains("paths_in_window"))
    throw std::runtime_error("calibration: a run's results have no costed CPUs (is host.architecture smp?)");
  return RunView{&results, mb};
}

double tally(const json& paths, const std::string& name, const char* field) {
  auto it = paths.find(name);
  return it == paths.end() ? 0.0 : (*it)[field].get<double>();
}

// Rows of one fit: relative errors of bins, then the pull of each unknown to its prior.
struct System {
  std::vector<std::vector<double>> rows;
  std::vector<double> rhs;
  void add(std::vector<double> row, double target, double scale) {
    for (double& v : row) v /= scale;
    rows.push_back(std::move(row));
    rhs.push_back(target / scale);
  }
  BoundedFit solve(const Eigen::VectorXd& lo, const Eigen::VectorXd& hi) const {
    Eigen::MatrixXd a(static_cast<Eigen::Index>(rows.size()), lo.size());
    Eigen::VectorXd b(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (Eigen::Index c = 0; c < lo.size(); ++c) a(static_cast<Eigen::Index>(r), c) = rows[r][static_cast<std::size_t>(c)];
      b[static_cast<Eigen::Index>(r)] = rhs[r];
    }
    return bounded_least_squares(a, b, lo, hi);
  }
};

void add_prior(System& sys, std::size_t unknowns, std::size_t index, double prior, double weight) {
  if (prior <= 0) return;
  std::vector<double> row(unknowns, 0.0);
  row[index] = weight / prior;
  sys.rows.push_back(std::move(row));
  sys.rhs.push_back(weight);
}

// The core CPI a path's source asks for: its own, or for a source that counts total cycles, the
// one that makes `instr` instructions plus the stalls the runs charged a call that total.
double prior_cpi(const models::CodePath& sourced, double instr, const std::map<std::string, double>& stalls) {
  if (!total_per_call(sourced) || instr <= 0) return sourced.cpi.value;
  const auto it = stalls.find(sourced.name);
  const double stall = it == stalls.end() ? 0.0 : it->second;
  return std::clamp((sourced.instr_per_call.value * sourced.cpi.value - stall) / instr, sourced.cpi.min, sourced.cpi.max);
}

}  // namespace

bool total_per_call(const models::CodePath& sourced) {
  return sourced.sourced_cycles == models::SourcedCycles::Total && sourced.instr_per_byte.max <= 0;
}

models::CodePathCatalog fit_catalog(const models::CodePathCatalog& current, const models::CodePathCatalog& prior,
                                    const json& reference, const Runs& runs, double prior_weight) {
  const std::size_t n = current.size();
  models::CodePathCatalog next = current;
  // Step 1: instructions. Unknowns: instr_per_call (0..n-1), instr_per_byte (n..2n-1).
  System instr;
  for (const auto& [wl, results] : runs) {
    const RunView v = view(results);
    for (int cpu = 0; cpu < static_cast<int>(results["cpus"].size()); ++cpu) {
      const json& paths = v.paths(cpu);
      for (const auto& [bin, row] : reference[wl].items()) {
        if (bin == "idle" || !row.contains(cpu_key(cpu))) continue;
        const json& ref = row[cpu_key(cpu)];
        if (ref["cpi"].is_null() || ref["pct_cpu"].is_null()) continue;
        const double target = ref["pct_cpu"].get<double>() / world::kPercent * v.window_cycles(cpu) / ref["cpi"].get<double>();
        std::vector<double> coeff(2 * n, 0.0);
        for (models::PathId p = 0; p < n; ++p) {
          if (std::string(models::bin_name(current[p].bin)) != bin) continue;
          coeff[p] = tally(paths, current[p].name, "calls");
          coeff[n + p] = tally(paths, current[p].name, "bytes");
        }
        instr.add(std::move(coeff), target, target);
      }
    }
  }
  Eigen::VectorXd lo(2 * n), hi(2 * n);
  for (models::PathId p = 0; p < n; ++p) {
    lo[p] = current[p].instr_per_call.min;
    hi[p] = current[p].instr_per_call.max;
    lo[n + p] = current[p].instr_per_byte.min;
    hi[n + p] = current[p].instr_per_byte.max;
    add_prior(instr, 2 * n, p, prior[p].instr_per_call.value, prior_weight);
    add_prior(instr, 2 * n, n + p, prior[p].instr_per_byte.value, prior_weight);
  }
  const BoundedFit fi = instr.solve(lo, hi);
  for (models::PathId p = 0; p < n; ++p) {
    next[p].instr_per_call.value = fi.x[p];
    next[p].instr_per_byte.value = fi.x[n + p];
  }

  // Step 2: core CPIs, with everything that is not CPI x instructions (stalls, clears) as
  // measured: it comes from the mechanisms, not from these parameters.
  System cycles;
  for (const auto& [wl, results] : runs) {
    const RunView v = view(results);
    for (int cpu = 0; cpu < static_cast<int>(results["cpus"].size()); ++cpu) {
      const json& paths = v.paths(cpu);
      for (const auto& [bin, row] : reference[wl].items()) {
        if (bin == "idle" || bin == "Total Non-idle" || !row.contains(cpu_key(cpu))) continue;
        const json& ref = row[cpu_key(cpu)];
        if (ref["pct_cpu"].is_null()) continue;
        const double target = ref["pct_cpu"].get<double>() / world::kPercent * v.window_cycles(cpu);
        std::vector<double> coeff(n, 0.0);
        double compute_now = 0;
        for (models::PathId p = 0; p < n; ++p) {
          if (std::string(models::bin_name(current[p].bin)) != bin) continue;
          const double calls = tally(paths, current[p].name, "calls");
          const double bytes = tally(paths, current[p].name, "bytes");
          coeff[p] = calls * next[p].instr_per_call.value + bytes * next[p].instr_per_byte.value;
          compute_now += tally(paths, current[p].name, "instr") * current[p].cpi.value;
        }
        const double fixed = v.bin_cycles(cpu, bin) - compute_now;
        const double scale = std::max(target, v.window_cycles(cpu) / world::kPercent);  // 1 point of %CPU at least
        cycles.add(std::move(coeff), target - fixed, scale);
      }
    }
  }
  Eigen::VectorXd clo(n), chi(n);
  const std::map<std::string, double> stalls = stall_cycles_per_call(runs);
  for (models::PathId p = 0; p < n; ++p) {
    clo[p] = current[p].cpi.min;
    chi[p] = current[p].cpi.max;
    add_prior(cycles, n, p, prior_cpi(prior[p], next[p].instr_per_call.value, stalls), prior_weight);
  }
  const BoundedFit fc = cycles.solve(clo, chi);
  for (models::PathId p = 0; p < n; ++p) next[p].cpi.value = fc.x[p];
  return next;
}

std::vector<BinError> compare(const json& reference, const Runs& runs) {
  std::vector<BinError> out;
  for (const auto& [wl, results] : runs) {
    const std::size_t first = out.size();
    double sim_clears = 0, paper_clears = 0, sim_misses = 0, paper_misses = 0;
    const auto number = [](const json& v) { return v.is_number() ? v.get<double>() : 0.0; };
    for (int cpu = 0; cpu < static_cast<int>(results["cpus"].size()); ++cpu) {
      const json& bins = results["cpus"][static_cast<std::size_t>(cpu)]["bins"];
      for (std::string_view name : models::kBinNames) {
        const std::string bin(name);
        if (!reference[wl].contains(bin) || !reference[wl][bin].contains(cpu_key(cpu))) continue;
        const json& ref = reference[wl][bin][cpu_key(cpu)];
        BinError e;
        e.workload = wl;
        e.cpu = cpu;
        e.bin = bin;
        e.sim_pct = bins[bin]["pct_cpu"].get<double>();
        e.paper_pct = number(ref["pct_cpu"]);
        e.sim_cpi = number(bins[bin]["cpi"]);
        e.paper_cpi = number(ref["cpi"]);
        e.sim_clear_share = number(bins[bin]["clears"]);
        e.paper_clear_share = number(ref["clears"]);
        e.sim_miss_share = number(bins[bin]["l2_misses"]);
        e.paper_miss_share = number(ref["l2_misses"]);
        sim_clears += e.sim_clear_share;
        paper_clears += e.paper_clear_share;
        sim_misses += e.sim_miss_share;
        paper_misses += e.paper_miss_share;
        out.push_back(e);
      }
    }
    const auto share = [](double v, double total) { return total > 0 ? world::kPercent * v / total : 0.0; };
    for (std::size_t i = first; i < out.size(); ++i) {
      BinError& e = out[i];
      e.sim_clear_share = share(e.sim_clear_share, sim_clears);
      e.paper_clear_share = share(e.paper_clear_share, paper_clears);
      e.sim_miss_share = share(e.sim_miss_share, sim_misses);
      e.paper_miss_share = share(e.paper_miss_share, paper_misses);
    }
  }
  return out;
}

double score(const std::vector<BinError>& errors, double share_weight) {
  double sum = 0;
  for (const BinError& e : errors) {
    sum += (e.sim_pct - e.paper_pct) * (e.sim_pct - e.paper_pct);
    const double dc = e.sim_clear_share - e.paper_clear_share;
    const double dm = e.sim_miss_share - e.paper_miss_share;
    sum += share_weight * (dc * dc + dm * dm);
  }
  return sum;
}

Targets targets(const std::vector<BinError>& errors) {
  constexpr double kPctPoints = 2, kCpiRelative = 0.15, kSharePoints = 3;
  Targets t;
  for (const BinError& e : errors) {
    ++t.cells;
    const double dp = std::fabs(e.sim_pct - e.paper_pct);
    const double dc = std::fabs(e.sim_clear_share - e.paper_clear_share);
    const double dm = std::fabs(e.sim_miss_share - e.paper_miss_share);
    t.pct_ok += dp <= kPctPoints;
    t.clear_ok += dc <= kSharePoints;
    t.miss_ok += dm <= kSharePoints;
    t.worst_pct = std::max(t.worst_pct, dp);
    t.worst_clear = std::max(t.worst_clear, dc);
    t.worst_miss = std::max(t.worst_miss, dm);
    if (e.paper_cpi > 0) {
      ++t.cpi_cells;
      const double rel = e.sim_cpi > 0 ? std::fabs(e.sim_cpi - e.paper_cpi) / e.paper_cpi : 1.0;
      t.cpi_ok += rel <= kCpiRelative;
      t.worst_cpi = std::max(t.worst_cpi, rel * world::kPercent);
    }
  }
  return t;
}

CellMoves largest_moves(const std::vector<BinError>& from, const std::vector<BinError>& to) {
  const auto key = [](const BinError& e) { return e.workload + " " + std::to_string(e.cpu) + " " + e.bin; };
  std::map<std::string, const BinError*> before;
  for (const BinError& e : from) before[key(e)] = &e;
  CellMoves m;
  const auto keep = [](double moved, const std::string& cell, double& most, std::string& where) {
    if (moved > most) {
      most = moved;
      where = cell;
    }
  };
  for (const BinError& e : to) {
    const auto it = before.find(key(e));
    if (it == before.end()) continue;
    const BinError& b = *it->second;
    keep(std::fabs(e.sim_pct - b.sim_pct), it->first, m.pct, m.pct_cell);
    keep(std::fabs(e.sim_clear_share - b.sim_clear_share), it->first, m.clear_share, m.clear_cell);
    keep(std::fabs(e.sim_miss_share - b.sim_miss_share), it->first, m.miss_share, m.miss_cell);
  }
  return m;
}

std::string error_table(const std::vector<BinError>& errors) {
  std::ostringstream out;
  char line[256];
  std::snprintf(line, sizeof line, "%-3s %-4s %-10s %8s %8s %7s   %6s %6s %7s   %13s %13s\n", "wl", "cpu", "bin",
                "%CPU sim", "paper", "diff", "CPI", "paper", "error", "clears% s/p", "misses% s/p");
  out << line;
  for (const BinError& e : errors) {
    std::string cpi_err = "";
    if (e.paper_cpi > 0 && e.sim_cpi > 0) {
      char b[32];
      std::snprintf(b, sizeof b, "%+.0f%%", (e.sim_cpi - e.paper_cpi) / e.paper_cpi * world::kPercent);
      cpi_err = b;
    }
    std::snprintf(line, sizeof line, "%-3s %-4d %-10s %8.1f %8.1f %+7.1f   %6.1f %6.1f %7s   %6.1f %6.1f %6.1f %6.1f\n",
                  e.workload.c_str(), e.cpu, e.bin.c_str(), e.sim_pct, e.paper_pct, e.sim_pct - e.paper_pct, e.sim_cpi,
                  e.paper_cpi, cpi_err.c_str(), e.sim_clear_share, e.paper_clear_share, e.sim_miss_share,
                  e.paper_miss_share);
    out << line;
  }
  const Targets t = targets(errors);
  std::snprintf(line, sizeof line,
                "%%CPU within 2 points: %d of %d (worst %.1f); CPI within 15%%: %d of %d (worst %.0f%%); clear share "
                "within 3 points: %d of %d (worst %.1f); miss share within 3 points: %d of %d (worst %.1f)\n",
                t.pct_ok, t.cells, t.worst_pct, t.cpi_ok, t.cpi_cells, t.worst_cpi, t.clear_ok, t.cells, t.worst_clear,
                t.miss_ok, t.cells, t.worst_miss);
  out << line;
  return out.str();
}

}  // namespace iscsim::calibration
