// `iscsim sweep`: many runs of one base scenario, on local processes or as a Slurm job array.
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <thread>

#include <boost/program_options.hpp>
#include <unistd.h>

#include "sim/cli/CommandLine.hpp"
#include "sim/cli/CommandGuard.hpp"
#include "sim/cli/Commands.hpp"
#include "sim/results/OutputDir.hpp"
#include "sim/sweep/Expansion.hpp"
#include "sim/sweep/LocalRunner.hpp"
#include "sim/sweep/Progress.hpp"
#include "sim/sweep/SlurmScripts.hpp"
#include "sim/sweep/SweepDir.hpp"
#include "sim/sweep/SweepSpec.hpp"
#include "sim/sweep/Tables.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// A sweep whose points did not all complete.
constexpr int kExitPointsFailed = 1;
constexpr int kSignalExitBase = 128;

struct Shard {
  std::size_t index = 0, count = 1;
};

Shard parse_shard(const std::string& text) {
  std::smatch m;
  if (std::regex_match(text, m, std::regex(R"((\d{1,9})/(\d{1,9}))"))) {
    const Shard s{std::stoul(m[1]), std::stoul(m[2])};
    if (s.count >= 1 && s.index < s.count) return s;
  }
  throw po::error("--shard " + text + ": expected I/N with 0 <= I < N, e.g. 3/8");
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

std::string self_binary() { return fs::read_symlink("/proc/self/exe").string(); }

std::string table_summary(const sweep::TableCounts& c, const std::string& dir) {
  return std::to_string(c.ok) + " ok, " + std::to_string(c.failed) + " failed, " + std::to_string(c.not_run) +
         " not run; tables in " + dir + ": sweep.csv, sweep-bins.csv, sweep-summary.csv, failures.csv";
}

int run_points(const sweep::SweepSpec& spec, const std::vector<sweep::Point>& points, const sweep::SweepDir& dir,
               int parallel, const std::optional<Shard>& shard) {
  std::vector<const sweep::Point*> mine;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (!shard || i % shard->count == shard->index) mine.push_back(&points[i]);

  const std::string binary = self_binary();
  std::vector<sweep::ChildJob> jobs;
  for (const sweep::Point* p : mine) {
    if (dir.status(p->id) == sweep::PointStatus::Ok) continue;
    dir.clear_point(p->id);
    sweep::ChildJob job{p->id, {binary, "run", spec.scenario_path}, dir.stdout_log(p->id), dir.stderr_log(p->id)};
    for (const std::string& o : p->overrides) job.argv.insert(job.argv.end(), {"--set", o});
    job.argv.insert(job.argv.end(), {"-o", dir.point_dir(p->id), "--name", p->id});
    jobs.push_back(std::move(job));
  }

  dir.prepare_points();
  sweep::LocalRunner runner;
  sweep::Progress progress(std::cerr, ::isatty(STDERR_FILENO) == 1, mine.size(), mine.size() - jobs.size());
  std::size_t failed = 0, stopped = 0;
  sweep::RunnerEvents events;
  events.started = [&](const sweep::ChildJob&) { progress.started(); };
  events.tick = [&] { progress.tick(); };
  events.finished = [&](const sweep::ChildExit& e) {
    if (e.interrupted) {
      dir.clear_point(e.key);
      progress.stopped();
      ++stopped;
      return;
    }
    const bool ok = e.exit_status == 0 && dir.status(e.key) == sweep::PointStatus::Ok;
    std::string error;
    if (!ok) {
      ++failed;
      error = e.exit_status == 0 ? "exited 0 but left no results.json and bins.csv" : dir.error_text(e.key, e.exit_status);
      dir.record_failure(e.key, {e.exit_status, error});
    }
    progress.finished(e.key, ok, e.exit_status, e.wall_s, error);
  };
  const int signal = runner.run(jobs, parallel, events);
  if (signal != 0) progress.interrupted(stopped);
  progress.close();

  if (!shard) {
    const sweep::TableCounts counts = sweep::write_tables(spec, points, dir);
    std::cout << "sweep " << spec.name << ": " << points.size() << " points: " << table_summary(counts, dir.root()) << "\n";
  } else {
    std::cout << "sweep " << spec.name << " shard " << shard->index << "/" << shard->count << ": " << mine.size()
              << " points, " << failed << " failed; the gather step writes the tables\n";
  }
  if (signal != 0) return kSignalExitBase + signal;
  return failed > 0 ? kExitPointsFailed : kExitOk;
}

int submit_to_slurm(const sweep::SweepSpec& spec, const std::vector<sweep::Point>& points, const sweep::SweepDir& dir,
                    const nlohmann::ordered_json& manifest, const sweep::SlurmOptions& options, bool dry_run) {
  try {
    sweep::check_slurm_options(options, dir.root());
  } catch (const std::invalid_argument& e) {
    throw po::error(e.what());
  }
  if (!dry_run && !on_path("sbatch"))
    throw po::error("--slurm: sbatch is not on PATH; --slurm-dry-run writes the scripts without submitting");
  dir.prepare(manifest);
  const sweep::SlurmJob job{self_binary(), fs::weakly_canonical(fs::absolute(spec.file)).string(), dir.root(), spec.name,
                            points.size()};
  const sweep::SlurmScripts scripts = sweep::slurm_scripts(job, options);
  const std::string slurm_dir = dir.root() + "/slurm";
  world::write_file_atomically(slurm_dir, "sweep.sbatch", scripts.array_script);
  world::write_file_atomically(slurm_dir, "gather.sbatch", scripts.gather_script);
  world::write_file_atomically(slurm_dir, "submit.sh", scripts.submit_script);
  std::cout << "sweep " << spec.name << ": " << points.size() << " points in " << scripts.tasks << " array tasks; wrote "
            << slurm_dir << "/sweep.sbatch, gather.sbatch, submit.sh\n";
  if (dry_run) {
    std::cout << "not submitted (--slurm-dry-run); submit with: sh " << slurm_dir << "/submit.sh\n";
    return kExitOk;
  }
  std::cout << std::flush;
  const std::string submit = "sh '" + slurm_dir + "/submit.sh'";
  if (std::system(submit.c_str()) != 0)
    throw std::runtime_error("submitting with sbatch failed (its message is above); the scripts are in " + slurm_dir);
  return kExitOk;
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim sweep SPEC.json [-j N] [-o DIR] [--shard I/N | --gather | --slurm | --slurm-dry-run]\n"
      "                    [--partition P] [--time T] [--array-throttle K]\n"
      "Runs every point of a sweep file (a base scenario and axes over its keys; see\n"
      "scenarios/README.md, \"Sweeps\") as `iscsim run` child processes, each into DIR/points/<id>/,\n"
      "and writes DIR/sweep.csv, sweep-bins.csv, sweep-summary.csv and failures.csv. Re-running the\n"
      "same sweep into the same DIR skips the points already complete. Exit status: 0 every point ok,\n"
      "1 a point failed (or was not run), 2 bad input, 130/143 interrupted (SIGINT/SIGTERM).\noptions");
  desc.add_options()("help,h", "this text")("jobs,j", po::value<int>(), "points run at once (default: the machine's cores)")(
      "output,o", po::value<std::string>(), "sweep directory (default: out/<sweep name>)")(
      "shard", po::value<std::string>(), "run only the points whose index modulo N is I (a Slurm array task)")(
      "gather", "run nothing; write the tables from what DIR holds (the Slurm gather step)")(
      "slurm", "write DIR/slurm/{sweep.sbatch,gather.sbatch,submit.sh} and submit them with sbatch")(
      "slurm-dry-run", "write the Slurm scripts without submitting")(
      "partition", po::value<std::string>(), "Slurm partition (--slurm)")(
      "time", po::value<std::string>(), "Slurm time limit per task, e.g. 30 or 1:00:00 (--slurm)")(
      "array-throttle", po::value<int>(), "at most K array tasks at once (--slurm)");
  return guarded("sweep", [&] {
    const auto parsed = parse_or_help(args, desc, "spec");
    if (!parsed) return kExitOk;
    const po::variables_map& vm = *parsed;
    if (!vm.count("spec")) throw po::error("a sweep file is required");
    const bool slurm = vm.count("slurm") || vm.count("slurm-dry-run");
    const int modes = static_cast<int>(vm.count("shard") + vm.count("gather")) + (slurm ? 1 : 0);
    if (modes > 1) throw po::error("--shard, --gather and --slurm/--slurm-dry-run exclude one another");
    for (const char* o : {"partition", "time", "array-throttle"})
      if (vm.count(o) && !slurm) throw po::error(std::string("--") + o + " goes with --slurm or --slurm-dry-run");
    if (vm.count("jobs") && (slurm || vm.count("gather"))) throw po::error("-j goes with a local run or --shard");
    const int parallel = vm.count("jobs") ? vm["jobs"].as<int>() : static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    if (parallel < 1) throw po::error("-j must be at least 1");
    const std::optional<Shard> shard = vm.count("shard") ? std::optional<Shard>(parse_shard(vm["shard"].as<std::string>())) : std::nullopt;

    const sweep::SweepSpec spec = sweep::load_sweep_spec(vm["spec"].as<std::string>());
    const std::vector<sweep::Point> points = sweep::expand(spec);
    sweep::check_points(spec, points);
    const sweep::SweepDir dir(fs::absolute(vm.count("output") ? vm["output"].as<std::string>() : "out/" + spec.name).lexically_normal().string());
    const nlohmann::ordered_json manifest = sweep::SweepDir::manifest(spec, points);

    if (vm.count("gather")) {
      dir.require_existing(manifest);
      const sweep::TableCounts counts = sweep::write_tables(spec, points, dir);
      std::cout << "sweep " << spec.name << ": " << points.size() << " points: " << table_summary(counts, dir.root()) << "\n";
      return counts.ok == points.size() ? kExitOk : kExitPointsFailed;
    }
    if (slurm) {
      sweep::SlurmOptions options;
      if (vm.count("partition")) options.partition = vm["partition"].as<std::string>();
      if (vm.count("time")) options.time_limit = vm["time"].as<std::string>();
      if (vm.count("array-throttle")) {
        options.array_throttle = vm["array-throttle"].as<int>();
        if (options.array_throttle < 1) throw po::error("--array-throttle must be at least 1");
      }
      return submit_to_slurm(spec, points, dir, manifest, options, vm.count("slurm-dry-run") > 0);
    }
    dir.prepare(manifest);
    return run_points(spec, points, dir, parallel, shard);
  });
}

}  // namespace iscsim::cli
