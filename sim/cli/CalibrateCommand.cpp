// `iscsim calibrate`: fits the code-path catalog to the paper's SMP Table 1 and writes it where
// --out says (by default under out/, never over the shipped catalog unless asked to).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "BuildInfo.hpp"
#include "sim/calibration/Calibration.hpp"
#include "sim/calibration/ClearRates.hpp"
#include "sim/calibration/MissRates.hpp"
#include "sim/calibration/Residuals.hpp"
#include "sim/calibration/WorkSplit.hpp"
#include "sim/cli/CommandLine.hpp"
#include "sim/run/ParameterSets.hpp"
#include "sim/scenario/Loader.hpp"
#include "sim/cli/CalibrationRuns.hpp"
#include "sim/cli/CommandGuard.hpp"
#include "sim/results/OutputDir.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "models/common/ParamSet.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

constexpr int kCatalogIndent = 1;
constexpr const char* kDefaultOut = "out/calibrate/linux-2.4-calibrated.json";
constexpr int kDefaultIterations = 8;
// Three clock draws per workload: the fit then follows the mean placement, not one draw's, at
// three times the runs (calibrate stays well under its 3-minute budget on 2 cores).
constexpr int kDefaultSeeds = 3;
constexpr int kMaxSeeds = 64;
constexpr int kMaxSeedSets = 16;  // each set is a whole fit: about 20 s on two cores
// A pull this strong keeps every value at its source: larger weights say nothing more.
constexpr double kMaxPriorWeight = 100;
constexpr double kDefaultDurationS = 0.3;
constexpr const char* kDefaultDurationText = "0.3";  // as typed: the double prints as 0.29999...

nlohmann::json read_reference(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw po::error("--reference " + path + ": cannot open");
  nlohmann::json reference;
  try {
    reference = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw po::error("--reference " + path + ": not valid JSON: " + e.what());
  }
  for (const char* wl : {"W", "R"})
    if (!reference.contains(wl)) throw po::error("--reference " + path + ": missing \"" + wl + "\" block");
  return reference;
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args) {
  const std::string source(build::kSourceDir);
  po::options_description desc(
      "usage: iscsim calibrate [--reference FILE] [--prior NAME] [--out FILE] [--residuals FILE] [--iterations N]\n"
      "                        [--seeds N] [--seed-sets K] [--prior-weight W] [--set PATH=VALUE]... [--no-checks]\n"
      "Fits the code-path catalog to the paper's SMP Table 1 (64 KB writes and reads together),\n"
      "prints the fit's error per bin and writes the catalog to --out. The paper scenarios use\n"
      "models/params/paths/linux-2.4-calibrated.json: give that as --out to replace it.\noptions");
  desc.add_options()("help,h", "this text")(
      "reference", po::value<std::string>()->default_value(source + "/scenarios/paper/reference/paper-table1-smp.json"),
      "the measurements to fit")("prior", po::value<std::string>()->default_value("linux-2.4"),
                                 "catalog under models/params/paths/ with the sourced values and bounds")(
      "out", po::value<std::string>()->default_value(kDefaultOut), "where the calibrated catalog is written")(
      "iterations", po::value<int>()->default_value(kDefaultIterations),
      "fixed-point steps (each runs both scenarios)")(
      "duration", po::value<double>()->default_value(kDefaultDurationS, kDefaultDurationText),
      "measured window of each run, simulated seconds")(
      "residuals", po::value<std::string>(), "where the residual table is written as JSON (default: --out with "
      "the extension .residuals.json)")(
      "seeds", po::value<int>()->default_value(kDefaultSeeds),
      "runs of each workload per step, at run.seed 1..N (or from the seed --set gives), averaged: the fit is "
      "to the mean over the NICs' clock draws")(
      "seed-sets", po::value<int>()->default_value(1),
      "after the fit, redo it from K-1 further sets of --seeds seeds (the next set beginning where the last "
      "ended) and print each set's targets and their sums: a change's effect against the seeds' spread. "
      "Only the first set's catalog is written")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "a scenario override for every run, as `iscsim run --set` takes it (repeatable); run.seed=K starts the "
      "seeds at K")(
      "prior-weight", po::value<double>()->default_value(calibration::kDefaultPriorWeight, "0.2"),
      "how hard each fitted value is pulled towards its source: the weight of its relative distance "
      "from it against a bin's relative error (larger: values nearer their sources, bins further from the paper)")(
      "no-checks", "skip the honesty checks (mechanisms switched off in turn, every core CPI 5% off, leave-one-workload-out)");
  return guarded("calibrate", [&] {
    const auto parsed = parse_or_help(args, desc);
    if (!parsed) return kExitOk;
    const po::variables_map& vm = *parsed;
    const int iterations = vm["iterations"].as<int>();
    const double duration = vm["duration"].as<double>();
    if (iterations < 1) throw po::error("--iterations must be at least 1");
    if (!(duration > 0)) throw po::error("--duration must be positive");
    CalibrationSetup setup;
    setup.reference = read_reference(vm["reference"].as<std::string>());
    setup.scenarios = {{"W", source + "/scenarios/paper/smp-write-64k.json"},
                       {"R", source + "/scenarios/paper/smp-read-64k.json"}};
    const std::string prior_name = vm["prior"].as<std::string>();
    setup.prior = models::CodePathCatalog::load(params_dir() + "/paths/" + prior_name + ".json");
    setup.duration_s = duration;
    setup.iterations = iterations;
    setup.seeds = vm["seeds"].as<int>();
    if (setup.seeds < 1 || setup.seeds > kMaxSeeds)
      throw po::error("--seeds must lie in [1, " + std::to_string(kMaxSeeds) + "], got " + std::to_string(setup.seeds));
    const int seed_sets = vm["seed-sets"].as<int>();
    if (seed_sets < 1 || seed_sets > kMaxSeedSets)
      throw po::error("--seed-sets must lie in [1, " + std::to_string(kMaxSeedSets) + "], got " + std::to_string(seed_sets));
    setup.prior_weight = vm["prior-weight"].as<double>();
    if (!(setup.prior_weight > 0) || setup.prior_weight > kMaxPriorWeight) {
      std::ostringstream got;
      got << setup.prior_weight;
      throw po::error("--prior-weight must lie in (0, " + std::to_string(static_cast<int>(kMaxPriorWeight)) + "], got " +
                      got.str());
    }
    if (vm.count("set")) setup.sets = vm["set"].as<std::vector<std::string>>();
    // Refused here, naming the key, rather than by every run it would make fail.
    double clear_penalty_cycles = 0;
    for (const auto& [wl, file] : setup.scenarios) {
      const scenario::Scenario s = scenario::load_scenario(file, setup.sets);
      run::check_parameter_sets(s, params_dir());
      setup.first_seed = s.run.seed;
      clear_penalty_cycles =
          models::CpuParams::from(models::ParamSet::load(params_dir(), "cpu", s.host.cpu.model)).clear_penalty_cycles;
    }
    const std::string out = vm["out"].as<std::string>();
    const std::string residuals = vm.count("residuals") ? vm["residuals"].as<std::string>()
                                                        : std::filesystem::path(out).replace_extension(".residuals.json").string();
    results::OutputPlan plan;
    plan.add_file("--out", out);
    plan.add_file("--residuals", residuals);
    results::StagedOutput staged(plan);
    setup.scratch = staged.scratch_dir();

    Fit fit = fixed_point(setup, {"W", "R"}, "fit", true);
    fit.catalog.set_description(
        "Linux 2.4.18 initiator code paths calibrated by `iscsim calibrate` on the paper's SMP Table 1 (64 KB "
        "writes and reads together, each the mean of " + std::to_string(setup.seeds) + " runs at run.seed " +
        std::to_string(setup.first_seed) + ".." + std::to_string(setup.first_seed + static_cast<std::uint64_t>(setup.seeds) - 1) +
        ", the best of " + std::to_string(iterations) + " fixed-point steps); sources and bounds as in " + prior_name + ".json.");
    const std::vector<calibration::BinError> errors = calibration::compare(setup.reference, fit.runs);
    constexpr double kDriftLimit = 3;
    const std::vector<calibration::PathDrift> drift = calibration::drifts(fit.catalog, setup.prior, calibration::stall_cycles_per_call(fit.runs), kDriftLimit);
    const std::vector<std::string> bounds = calibration::on_bounds(fit.catalog);
    const std::optional<calibration::WorkTimeRatio> work_time = calibration::write_over_read_time(setup.reference, fit.runs);
    const std::vector<calibration::ClearRate> rates = calibration::clear_rates(setup.reference, fit.runs, clear_penalty_cycles);
    const std::vector<calibration::MissRate> misses = calibration::miss_rates(setup.reference, fit.runs);
    const std::vector<calibration::WorkSplit> split = calibration::cpu1_over_cpu0_instructions(setup.reference, fit.runs);
    std::cout << calibration::error_table(errors) << calibration::work_time_text(work_time)
              << calibration::work_split_text(split)
              << calibration::clear_rates_text(rates) << calibration::miss_rates_text(misses)
              << calibration::drift_text(drift, bounds);
    if (!vm.count("no-checks")) std::cout << ablation_table(setup, fit, params_dir()) << sensitivity_table(setup, fit)
                << leave_one_out_table(setup);
    if (seed_sets > 1) std::cout << seed_sets_table(setup, fit, seed_sets, kDriftLimit);
    staged.write(out, fit.catalog.to_json().dump(kCatalogIndent) + "\n");
    nlohmann::json residual_table = calibration::residuals_json(errors, drift, bounds, work_time);
    residual_table["clear_rates"] = calibration::clear_rates_json(rates);
    residual_table["miss_rates"] = calibration::miss_rates_json(misses);
    residual_table["cpu1_over_cpu0_instructions"] = calibration::work_split_json(split);
    staged.write(residuals, residual_table.dump(results::kJsonIndent) + "\n");
    staged.commit();
    std::cout << "wrote " << out << " and " << residuals << "\n";
    return kExitOk;
  });
}

}  // namespace iscsim::cli
