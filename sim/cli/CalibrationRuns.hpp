#pragma once
// The runs `iscsim calibrate` makes: each reference workload run as a child `iscsim run` with a
// trial catalog (and, for the ablations, trial CPU or kernel parameter files), the fixed-point fit
// over a set of workloads, and the honesty checks (mechanisms switched off in turn,
// leave-one-workload-out).
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/CodePath.hpp"
#include "sim/calibration/Calibration.hpp"

namespace iscsim::cli {

struct CalibrationSetup {
  nlohmann::json reference;
  std::map<std::string, std::string> scenarios;  // workload key ("W", "R") -> scenario file
  models::CodePathCatalog prior;
  std::filesystem::path scratch;
  double duration_s = 0;
  int iterations = 0;
  std::vector<std::string> sets;  // PATH=VALUE overrides for every run (--set)
  // Every workload is run at run.seed first_seed .. first_seed + seeds - 1 and its results
  // averaged: the fit is to the mean over the NICs' clock draws, not to one draw's placement.
  std::uint64_t first_seed = 1;
  int seeds = 1;
  double prior_weight = calibration::kDefaultPriorWeight;  // the pull towards the sourced values
};

struct Fit {
  models::CodePathCatalog catalog;
  calibration::Runs runs;  // the catalog's own runs, every workload of the setup
};

// Runs `workloads` (keys of setup.scenarios) with `catalog` and extra `--set` overrides.
calibration::Runs run_workloads(const CalibrationSetup& setup, const models::CodePathCatalog& catalog,
                                const std::vector<std::string>& workloads, const std::vector<std::string>& sets,
                                const std::string& tag);
// The fixed point on `workloads` only; the catalog kept is the iterate whose runs matched best.
// Its runs are then made for every workload of the setup.
Fit fixed_point(const CalibrationSetup& setup, const std::vector<std::string>& workloads, const std::string& tag,
                bool verbose);
// The ablation table: `fit`'s catalog with one mechanism switched off at a time.
std::string ablation_table(const CalibrationSetup& setup, const Fit& fit, const std::string& params_dir);
// How firm the residuals are: `fit`'s catalog with every core CPI a few percent lower and
// higher (within its bounds), the targets then and the largest move of one cell.
std::string sensitivity_table(const CalibrationSetup& setup, const Fit& fit);
// The fit redone from `sets` seed sets in all (`fit` is the first's; each further one begins
// where the one before ended): each set's targets, paths beyond `drift_limit` of their sources
// and values on a bound, and their sums, so a change can be told from the seeds' spread.
std::string seed_sets_table(const CalibrationSetup& setup, const Fit& fit, int sets, double drift_limit);
// Leave-one-workload-out: fit on one workload, residuals on the other, both ways.
std::string leave_one_out_table(const CalibrationSetup& setup);

}  // namespace iscsim::cli
