#include "sim/cli/Commands.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <iostream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "BuildInfo.hpp"
#include "models/common/ParamSet.hpp"
#include "sim/calibration/Calibration.hpp"
#include "sim/results/CpuReport.hpp"
#include "sim/results/OutputDir.hpp"
#include "sim/results/RunReport.hpp"
#include "sim/scenario/Loader.hpp"
#include "sim/scenario/ScenarioError.hpp"
#include "sim/run/Run.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

constexpr int kJsonIndent = 2;
constexpr std::size_t kHostNameBytes = 256;

struct Parsed {
  po::variables_map vm;
  std::vector<std::string> simgrid_args;
};

// Parses a command's words; SimGrid's --cfg=/--log= options pass through untouched.
Parsed parse(const std::vector<std::string>& args, const po::options_description& visible) {
  po::options_description all;
  all.add(visible).add_options()("scenario", po::value<std::string>());
  po::positional_options_description pos;
  pos.add("scenario", 1);
  Parsed p;
  std::vector<std::string> ours;
  for (const std::string& a : args) {
    if (a.rfind("--cfg=", 0) == 0 || a.rfind("--log=", 0) == 0)
      p.simgrid_args.push_back(a);
    else
      ours.push_back(a);
  }
  po::store(po::command_line_parser(ours).options(all).positional(pos).run(), p.vm);
  po::notify(p.vm);
  return p;
}

std::vector<std::string> overrides(const po::variables_map& vm) {
  return vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
}

std::string host_name() {
  char buf[kHostNameBytes] = {};
  return ::gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string("unknown");
}

// Runs `body`, mapping each failure class to its exit status and one message on stderr.
template <class Body>
int guarded(const char* command, Body body) {
  try {
    return body();
  } catch (const po::error& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << " (see iscsim " << command << " --help)\n";
    return kExitBadInput;
  } catch (const scenario::ScenarioError& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const run::UnsupportedScenario& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const models::ParamError& e) {
    std::cerr << "iscsim " << command << ": bad parameter file: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "iscsim " << command << ": internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace

std::string params_dir() {
  if (const char* env = std::getenv("ISCSIM_PARAMS_DIR")) return env;
  return std::string(build::kSourceDir) + "/models/params";
}

int run_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim run SCENARIO.json [-o DIR] [--set PATH=VALUE]... [--pcap FILE] [--cfg=..] [--log=..]\n"
      "Runs one simulation and writes DIR/results.json and DIR/bins.csv.\noptions");
  desc.add_options()("help,h", "this text")(
      "output,o", po::value<std::string>(), "output directory (default: out/<scenario name>)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario value: dotted JSON path = value, e.g. link.loss_rate=0.01 (repeatable)")(
      "pcap", po::value<std::string>(), "write every frame on the simulated wires to FILE (pcap, ns timestamps)");
  return guarded("run", [&] {
    const Parsed p = parse(args, desc);
    if (p.vm.count("help")) {
      std::cout << desc << "  --cfg=KEY:VALUE       SimGrid configuration, passed through\n"
                << "  --log=SPEC            SimGrid logging, passed through (quiet by default)\n";
      return kExitOk;
    }
    if (!p.vm.count("scenario")) throw po::error("a scenario file is required");
    const scenario::Scenario s = scenario::load_scenario(p.vm["scenario"].as<std::string>(), overrides(p.vm));
    const std::string out_dir = p.vm.count("output") ? p.vm["output"].as<std::string>() : "out/" + s.name;

    run::RunOptions opt;
    opt.params_dir = params_dir();
    opt.simgrid_args = p.simgrid_args;
    const std::string pcap = p.vm.count("pcap") ? p.vm["pcap"].as<std::string>() : "";
    if (!pcap.empty()) {
      const std::filesystem::path parent = std::filesystem::path(pcap).parent_path();
      if (!parent.empty() && !std::filesystem::is_directory(parent))
        throw po::error("--pcap " + pcap + ": directory " + parent.string() + " does not exist");
      opt.pcap_path = world::partial_name(pcap);
    }

    const auto wall_start = std::chrono::steady_clock::now();
    run::RunOutcome outcome;
    try {
      outcome = run::run_world(s, opt);
    } catch (...) {
      if (!pcap.empty()) std::remove(opt.pcap_path.c_str());
      throw;
    }
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

    nlohmann::json results = outcome.results;
    results["run_info"] = {{"version", build::kVersion},
                           {"simgrid_version", world::SimgridClock::simgrid_version()},
                           {"host", host_name()},
                           {"wall_time_s", wall_s},
                           {"simulated_s_per_wall_s", outcome.clock.end_time_s / wall_s},
                           {"simgrid_activities", outcome.clock.simgrid_activities},
                           {"simgrid_activities_per_wall_s", outcome.clock.simgrid_activities / wall_s},
                           {"events", outcome.clock.events}};
    world::write_file_atomically(out_dir, "results.json", results.dump(kJsonIndent) + "\n");
    world::write_file_atomically(out_dir, "bins.csv", world::bins_csv(results));
    const bool costed = results.contains("host");
    if (costed) world::write_file_atomically(out_dir, "table1.txt", world::table1_text(results));
    if (!pcap.empty()) world::commit_partial(pcap);
    if (costed) std::cout << world::table1_text(results);

    const auto& sum = results["summary"];
    std::cout << s.name << ": throughput " << sum["throughput_MBps"].get<double>() << " MB/s over "
              << sum["sim_time_s"].get<double>() << " s simulated; retransmissions "
              << results["tcp"]["retransmissions"] << "; corrupt blocks " << results["integrity"]["corrupt_blocks"]
              << "\n"
              << "wrote " << out_dir << "/results.json, bins.csv" << (costed ? ", table1.txt" : "")
              << (pcap.empty() ? "" : " and " + pcap) << " (" << wall_s << " s wall, "
              << outcome.clock.end_time_s / wall_s << " simulated s per wall s)\n";
    return kExitOk;
  });
}

int validate_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim validate SCENARIO.json [--set PATH=VALUE]...\n"
      "Checks a scenario and prints its resolved form (extends merged, defaults filled); changes nothing.\n"
      "options");
  desc.add_options()("help,h", "this text")("set", po::value<std::vector<std::string>>()->composing(),
                                           "override a scenario value: dotted JSON path = value (repeatable)");
  return guarded("validate", [&] {
    const Parsed p = parse(args, desc);
    if (p.vm.count("help")) {
      std::cout << desc;
      return kExitOk;
    }
    if (!p.vm.count("scenario")) throw po::error("a scenario file is required");
    const scenario::Scenario s = scenario::load_scenario(p.vm["scenario"].as<std::string>(), overrides(p.vm));
    std::cout << s.resolved.dump(kJsonIndent) << "\n";
    return kExitOk;
  });
}

namespace {

// One reference run: `scenario` with the catalog under test, in a scratch directory.
nlohmann::json calibration_run(const std::string& scenario, const std::string& catalog, const std::string& dir,
                               double duration_s) {
  static const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string cmd = "'" + self + "' run '" + scenario + "' -o '" + dir + "' --set 'host.code_paths=" + catalog +
                          "' --set run.duration_s=" + std::to_string(duration_s) +
                          " --set workload.readback=false > '" + dir + ".log' 2>&1";
  if (std::system(cmd.c_str()) != 0)
    throw std::runtime_error("calibration run of " + scenario + " failed; its output is in " + dir + ".log");
  std::ifstream in(dir + "/results.json");
  return nlohmann::json::parse(in);
}

}  // namespace

int calibrate_command(const std::vector<std::string>& args) {
  const std::string source(build::kSourceDir);
  po::options_description desc(
      "usage: iscsim calibrate [--reference FILE] [--prior NAME] [--out FILE] [--iterations N]\n"
      "Fits the code-path catalog to the paper's SMP Table 1 (64 KB writes and reads together) and\n"
      "prints the fit's error per bin. The result is the catalog the paper scenarios use.\noptions");
  desc.add_options()("help,h", "this text")(
      "reference", po::value<std::string>()->default_value(source + "/scenarios/paper/reference/paper-table1-smp.json"),
      "the measurements to fit")("prior", po::value<std::string>()->default_value("linux-2.4"),
                                 "catalog under models/params/paths/ with the sourced values and bounds")(
      "out", po::value<std::string>()->default_value(params_dir() + "/paths/linux-2.4-calibrated.json"),
      "where the calibrated catalog is written")("iterations", po::value<int>()->default_value(8),
                                                 "fixed-point steps (each runs both scenarios)")(
      "duration", po::value<double>()->default_value(0.3), "measured window of each run, simulated seconds");
  return guarded("calibrate", [&] {
    const Parsed p = parse(args, desc);
    if (p.vm.count("help")) {
      std::cout << desc;
      return kExitOk;
    }
    const int iterations = p.vm["iterations"].as<int>();
    const double duration = p.vm["duration"].as<double>();
    if (iterations < 1) throw po::error("--iterations must be at least 1");
    if (!(duration > 0)) throw po::error("--duration must be positive");
    const std::string ref_path = p.vm["reference"].as<std::string>();
    std::ifstream ref_in(ref_path);
    if (!ref_in) throw po::error("--reference " + ref_path + ": cannot open");
    nlohmann::json reference;
    try {
      reference = nlohmann::json::parse(ref_in);
    } catch (const nlohmann::json::parse_error& e) {
      throw po::error("--reference " + ref_path + ": not valid JSON: " + e.what());
    }
    for (const char* wl : {"W", "R"})
      if (!reference.contains(wl)) throw po::error("--reference " + ref_path + ": missing \"" + wl + "\" block");
    const std::map<std::string, std::string> scenarios{{"W", source + "/scenarios/paper/smp-write-64k.json"},
                                                       {"R", source + "/scenarios/paper/smp-read-64k.json"}};
    const models::CodePathCatalog prior = models::CodePathCatalog::load(params_dir() + "/paths/" + p.vm["prior"].as<std::string>() + ".json");
    models::CodePathCatalog current = prior;
    const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / ("iscsim-calibrate-" + std::to_string(::getpid()));
    std::filesystem::create_directories(scratch);
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
    current = best;
    runs = best_runs;
    current.set_description(
        "Linux 2.4.18 initiator code paths calibrated by `iscsim calibrate` on the paper's SMP Table 1 (64 KB "
        "writes and reads together, the best of " + std::to_string(iterations) + " fixed-point steps); sources and "
        "bounds "
        "as in " + p.vm["prior"].as<std::string>() + ".json.");
    std::cout << calibration::error_table(calibration::compare(reference, runs));
    const std::filesystem::path out(p.vm["out"].as<std::string>());
    world::write_file_atomically(out.parent_path().string(), out.filename().string(), current.to_json().dump(1) + "\n");
    std::filesystem::remove_all(scratch);
    std::cout << "wrote " << out.string() << "\n";
    return kExitOk;
  });
}

}  // namespace iscsim::cli
