#include "sim/cli/Commands.hpp"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>
#include <malloc.h>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <unistd.h>

#include "BuildInfo.hpp"
#include "sim/cli/CommandGuard.hpp"
#include "sim/cli/ProgressLine.hpp"
#include "sim/cli/RunArguments.hpp"
#include "sim/results/CpuReport.hpp"
#include "sim/results/InterruptCleanup.hpp"
#include "sim/results/OutputDir.hpp"
#include "sim/results/RunReport.hpp"
#include "sim/run/ParameterSets.hpp"
#include "sim/scenario/Loader.hpp"
#include "sim/run/Run.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

constexpr std::size_t kHostNameBytes = 256;
constexpr std::int64_t kBytesPerKib = 1024;  // getrusage's ru_maxrss is in KiB on Linux
constexpr int kKeepFreedHeapBytes = 1 << 30;  // glibc trims the heap only past this much free at its top

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

}  // namespace

std::string params_dir() {
  if (const char* env = std::getenv("ISCSIM_PARAMS_DIR")) return env;
  return std::string(build::kSourceDir) + "/models/params";
}

int run_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim run SCENARIO.json [-o DIR | --name NAME] [--set PATH=VALUE]... [--pcap FILE\n"
      "                  [--pcap-snaplen BYTES] [--pcap-window START:END]]\n"
      "                  [--trace FILE.json [--trace-window START:END]] [--cfg=..] [--log=..]\n"
      "Runs one simulation and writes DIR/results.json, DIR/bins.csv and, for a host with CPUs,\n"
      "DIR/table1.txt. DIR is replaced whole: it must be new, empty or an earlier iscsim output.\n"
      "Nothing is written unless the run completes.\noptions");
  desc.add_options()("help,h", "this text")(
      "output,o", po::value<std::string>(), "output directory (default: out/NAME)")(
      "name", po::value<std::string>(), "the run's name, recorded in results.json (default: the scenario's name)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario value: dotted JSON path = value, e.g. link.loss_rate=0.01 (repeatable)")(
      "pcap", po::value<std::string>(), "write the frames on the simulated wires to FILE (pcap, ns timestamps)")(
      "pcap-snaplen", po::value<std::uint32_t>(), "keep the first BYTES of each frame (96: the headers)")(
      "pcap-window", po::value<std::string>(), "keep the frames that start in START:END, simulated seconds")(
      "trace", po::value<std::string>(), "write a timeline of the CPUs, queues and NIC rings to FILE.json (Chrome "
      "trace-event format: Perfetto, chrome://tracing)")(
      "trace-window", po::value<std::string>(), "the timeline's START:END, simulated seconds (default: the first "
      "20 ms of the measured window)");
  return guarded("run", [&] {
    const Parsed p = parse(args, desc);
    if (p.vm.count("help")) {
      std::cout << desc << "  --cfg=KEY:VALUE       SimGrid configuration, passed through\n"
                << "  --log=SPEC            SimGrid logging, passed through (quiet by default)\n";
      return kExitOk;
    }
    if (!p.vm.count("scenario")) throw po::error("a scenario file is required");
    const scenario::Scenario s = scenario::load_scenario(p.vm["scenario"].as<std::string>(), overrides(p.vm));
    const std::string name = p.vm.count("name") ? checked_run_name(p.vm["name"].as<std::string>()) : s.name;
    const bool out_given = p.vm.count("output") > 0;
    const std::string out_dir = out_given ? p.vm["output"].as<std::string>() : "out/" + name;
    const std::string pcap = p.vm.count("pcap") ? p.vm["pcap"].as<std::string>() : "";
    const auto snaplen = p.vm.count("pcap-snaplen") ? std::optional(p.vm["pcap-snaplen"].as<std::uint32_t>())
                                                    : std::nullopt;
    const auto window = p.vm.count("pcap-window") ? std::optional(p.vm["pcap-window"].as<std::string>())
                                                  : std::nullopt;
    if (pcap.empty() && (snaplen || window)) throw po::error("--pcap-snaplen and --pcap-window need --pcap FILE");
    const std::string trace = p.vm.count("trace") ? p.vm["trace"].as<std::string>() : "";
    if (trace.empty() && p.vm.count("trace-window")) throw po::error("--trace-window needs --trace FILE.json");

    run::RunOptions opt;
    opt.params_dir = params_dir();
    opt.simgrid_args = p.simgrid_args;
    opt.pcap = pcap_options(snaplen, window);
    if (p.vm.count("trace-window")) opt.trace_window = trace_window(p.vm["trace-window"].as<std::string>());
    results::OutputPlan plan;
    plan.add_directory(out_given ? "-o" : "output directory (-o)", out_dir);
    if (!pcap.empty()) plan.add_file("--pcap", pcap);
    if (!trace.empty()) plan.add_file("--trace", trace);
    results::StagedOutput staged(plan);
    if (!pcap.empty()) opt.pcap_path = staged.path(pcap);
    if (!trace.empty()) opt.trace_path = staged.path(trace);
    ProgressLine progress(s.run.warmup_s, s.run.warmup_s + s.run.duration_s);
    opt.progress = [&progress](double simulated_s) { progress.update(simulated_s); };
    // SimGrid's engine replaces the SIGINT handler with its own as it starts: the signals wait
    // while it starts, then ours is armed again, so an interrupt at any point of the run removes
    // what it staged (and never reaches SimGrid's handler, which exits 1 and leaves it).
    opt.engine_starting = results::hold_interrupts;
    opt.engine_started = [] {
      results::arm_interrupt_cleanup();
      results::release_interrupts();
    };

    // Heap memory a run frees is soon needed again (every I/O's buffers): keeping it spares
    // the page faults of handing it back to the kernel and taking it again.
    mallopt(M_TRIM_THRESHOLD, kKeepFreedHeapBytes);
    const auto wall_start = std::chrono::steady_clock::now();
    const run::RunOutcome outcome = run::run_world(s, opt);
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    progress.finish();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);  // the whole process so far: its peak memory, its page faults
    nlohmann::json results = outcome.results;
    results["run"] = {{"name", name}, {"overrides", overrides(p.vm)}};
    results["run_info"] = {{"version", build::kVersion},
                           {"simgrid_version", world::SimgridClock::simgrid_version()},
                           {"host", host_name()},
                           {"wall_time_s", wall_s},
                           {"simulated_s_per_wall_s", outcome.clock.end_time_s / wall_s},
                           {"simgrid_activities", outcome.clock.simgrid_activities},
                           {"simgrid_activities_per_wall_s", outcome.clock.simgrid_activities / wall_s},
                           {"events", outcome.clock.events},
                           {"peak_rss_bytes", static_cast<std::int64_t>(usage.ru_maxrss) * kBytesPerKib},
                           {"minor_page_faults", static_cast<std::int64_t>(usage.ru_minflt)}};
    staged.write(out_dir + "/results.json", results.dump(results::kJsonIndent) + "\n");
    staged.write(out_dir + "/bins.csv", world::bins_csv(results));
    const bool costed = results.contains("host");
    if (costed) staged.write(out_dir + "/table1.txt", world::table1_text(results));
    staged.commit();
    if (costed) std::cout << world::table1_text(results);

    const auto& sum = results["summary"];
    std::cout << name << ": throughput " << sum["throughput_MBps"].get<double>() << " MB/s over "
              << sum["sim_time_s"].get<double>() << " s simulated; retransmissions "
              << results["tcp"]["retransmissions"] << "; corrupt blocks " << results["integrity"]["corrupt_blocks"]
              << "\n"
              << "wrote " << out_dir << "/results.json, bins.csv" << (costed ? ", table1.txt" : "")
              << (pcap.empty() ? "" : " and " + pcap) << (trace.empty() ? "" : " and " + trace) << " (" << wall_s
              << " s wall, " << outcome.clock.end_time_s / wall_s << " simulated s per wall s)\n";
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
    run::check_parameter_sets(s, params_dir());
    std::cout << s.resolved.dump(results::kJsonIndent) << "\n";
    return kExitOk;
  });
}

}  // namespace iscsim::cli
