// `iscsim calibrate`: fits the code-path catalog to the paper's SMP Table 1 and writes it where
// --out says (by default under out/, never over the shipped catalog unless asked to).
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <system_error>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "BuildInfo.hpp"
#include "sim/calibration/Calibration.hpp"
#include "sim/cli/CommandGuard.hpp"
#include "sim/results/InterruptCleanup.hpp"
#include "sim/results/OutputDir.hpp"

extern char** environ;

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

constexpr int kJsonIndent = 2;
constexpr int kCatalogIndent = 1;
constexpr const char* kDefaultOut = "out/calibrate/linux-2.4-calibrated.json";
constexpr int kDefaultIterations = 8;
constexpr double kDefaultDurationS = 0.3;
constexpr const char* kDefaultDurationText = "0.3";  // as typed: the double prints as 0.29999...

// Runs `argv` with standard output and error into `log`; its exit status, or -1 for a signal.
int run_logged(const std::vector<std::string>& argv, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) throw std::system_error(err, std::generic_category(), "cannot start " + argv[0]);
  // An interrupt of this process interrupts the run too, which then removes its own outputs.
  results::register_child(pid);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  results::unregister_child(pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// One reference run: `scenario` with the catalog under test, into `dir`.
nlohmann::json calibration_run(const std::string& scenario, const std::string& catalog, const std::string& dir,
                               double duration_s) {
  static const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::vector<std::string> argv{self,  "run", scenario, "-o", dir, "--set", "host.code_paths=" + catalog,
                                      "--set", "run.duration_s=" + std::to_string(duration_s),
                                      "--set", "workload.readback=false"};
  if (run_logged(argv, dir + ".log") != 0)
    throw std::runtime_error("calibration run of " + scenario + " failed; its output is in " + dir + ".log");
  std::ifstream in(dir + "/results.json");
  return nlohmann::json::parse(in);
}

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
      "usage: iscsim calibrate [--reference FILE] [--prior NAME] [--out FILE] [--iterations N]\n"
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
      "measured window of each run, simulated seconds");
  return guarded("calibrate", [&] {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
    if (vm.count("help")) {
      std::cout << desc;
      return kExitOk;
    }
    const int iterations = vm["iterations"].as<int>();
    const double duration = vm["duration"].as<double>();
    if (iterations < 1) throw po::error("--iterations must be at least 1");
    if (!(duration > 0)) throw po::error("--duration must be positive");
    const nlohmann::json reference = read_reference(vm["reference"].as<std::string>());
    const std::map<std::string, std::string> scenarios{{"W", source + "/scenarios/paper/smp-write-64k.json"},
                                                       {"R", source + "/scenarios/paper/smp-read-64k.json"}};
    const std::string prior_name = vm["prior"].as<std::string>();
    const models::CodePathCatalog prior = models::CodePathCatalog::load(params_dir() + "/paths/" + prior_name + ".json");
    const std::string out = vm["out"].as<std::string>();
    results::OutputPlan plan;
    plan.add_file("--out", out);
    results::StagedOutput staged(plan);
    const std::filesystem::path scratch = staged.scratch_dir();

    models::CodePathCatalog current = prior;
    calibration::Runs runs;
    const auto run_all = [&](int step) {
      const std::string catalog = (scratch / ("catalog-" + std::to_string(step) + ".json")).string();
      std::ofstream(catalog) << current.to_json().dump(kJsonIndent) << "\n";
      for (const auto& [wl, scen] : scenarios)
        runs[wl] = calibration_run(scen, catalog, (scratch / (wl + std::to_string(step))).string(), duration);
    };
    // The fixed point is not a contraction (where threads run shifts with the costs), so the
    // catalog kept is the iterate whose own runs matched the paper best.
    models::CodePathCatalog best = current;
    calibration::Runs best_runs;
    double best_score = -1;
    for (int step = 0; step <= iterations; ++step) {
      run_all(step);
      const double score = calibration::score(calibration::compare(reference, runs));
      if (best_score < 0 || score < best_score) {
        best_score = score;
        best = current;
        best_runs = runs;
      }
      if (step == iterations) break;
      current = calibration::fit_catalog(current, prior, reference, runs);
      std::cout << "step " << step + 1 << "/" << iterations << " fitted\n";
    }
    best.set_description(
        "Linux 2.4.18 initiator code paths calibrated by `iscsim calibrate` on the paper's SMP Table 1 (64 KB "
        "writes and reads together, the best of " + std::to_string(iterations) + " fixed-point steps); sources and "
        "bounds as in " + prior_name + ".json.");
    std::cout << calibration::error_table(calibration::compare(reference, best_runs));
    staged.write(out, best.to_json().dump(kCatalogIndent) + "\n");
    staged.commit();
    std::cout << "wrote " << out << "\n";
    return kExitOk;
  });
}

}  // namespace iscsim::cli
