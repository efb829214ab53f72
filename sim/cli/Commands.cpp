#include "sim/cli/Commands.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "BuildInfo.hpp"
#include "models/common/ParamSet.hpp"
#include "sim/results/OutputDir.hpp"
#include "sim/results/RunReport.hpp"
#include "sim/scenario/Loader.hpp"
#include "sim/scenario/ScenarioError.hpp"
#include "sim/world/World.hpp"

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
  } catch (const world::UnsupportedScenario& e) {
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

    world::RunOptions opt;
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
    world::RunOutcome outcome;
    try {
      outcome = world::run_world(s, opt);
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
    if (!pcap.empty()) world::commit_partial(pcap);

    const auto& sum = results["summary"];
    std::cout << s.name << ": throughput " << sum["throughput_MBps"].get<double>() << " MB/s over "
              << sum["sim_time_s"].get<double>() << " s simulated; retransmissions "
              << results["tcp"]["retransmissions"] << "; corrupt blocks " << results["integrity"]["corrupt_blocks"]
              << "\n"
              << "wrote " << out_dir << "/results.json and bins.csv"
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

}  // namespace iscsim::cli
