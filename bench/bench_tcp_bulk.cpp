// Whole-run benchmark: runs scenarios/tcp-bulk.json (or the scenario given) once in process and
// prints how fast the simulator runs: simulated seconds per wall second and SimGrid activities
// per wall second. A figure to read, not a test: nothing here asserts a speed.
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "BuildInfo.hpp"
#include "sim/scenario/Loader.hpp"
#include "sim/run/Run.hpp"

int main(int argc, char** argv) {
  using namespace iscsim;
  const std::string path = argc > 1 ? argv[1] : std::string(build::kSourceDir) + "/scenarios/tcp-bulk.json";
  const std::vector<std::string> overrides(argv + (argc > 1 ? 2 : 1), argv + argc);
  const scenario::Scenario s = scenario::load_scenario(path, overrides);
  run::RunOptions opt;
  opt.params_dir = std::string(build::kSourceDir) + "/models/params";

  const auto start = std::chrono::steady_clock::now();
  const run::RunOutcome out = run::run_world(s, opt);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double sim = out.clock.end_time_s;
  std::cout << "scenario                      " << s.name << "\n"
            << "simulated time (s)            " << sim << "\n"
            << "wall time (s)                 " << wall << "\n"
            << "simulated s per wall s        " << sim / wall << "\n"
            << "SimGrid activities            " << out.clock.simgrid_activities << "\n"
            << "SimGrid activities per wall s " << out.clock.simgrid_activities / wall << "\n"
            << "calendar events per wall s    " << out.clock.events / wall << "\n"
            << "throughput (MB/s)             " << out.results["summary"]["throughput_MBps"].get<double>() << "\n";
  return 0;
}
