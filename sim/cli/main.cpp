// iscsim: a discrete-event full-system simulator of SMP versus AMP iSCSI hosts.
#include <iostream>
#include <string>
#include <vector>

#include "BuildInfo.hpp"
#include "sim/cli/Commands.hpp"
#include "sim/cli/WireCommands.hpp"

namespace {

const char* const kUsage =
    "usage: iscsim COMMAND [options]\n"
    "\n"
    "Simulates an iSCSI initiator host (ideal, SMP or AMP) talking to RAM-disk targets over\n"
    "gigabit Ethernet, after Foong et al., \"An Architecture for Software-Based iSCSI\".\n"
    "\n"
    "commands:\n"
    "  run SCENARIO.json       run one simulation, write DIR/results.json and DIR/bins.csv\n"
    "  validate SCENARIO.json  check a scenario and print its resolved form\n"
    "  calibrate               fit the code-path catalog to the paper's SMP Table 1\n"
    "  compare BASE OTHER      the paper's Table 2 between two runs; writes compare.json, compare.csv\n"
    "  sweep SPEC.json         many runs (axes over scenario keys) on local cores or Slurm; sweep.csv\n"
    "  report DIR              one self-contained HTML page of a reproduction: DIR/report.html\n"
    "  serve --listen H:P ...  wire mode: serve an iSCSI target (RAM-disk LUN 0) on real sockets\n"
    "  probe iscsi://H/IQN/LUN wire mode: log in to a real target, inquire, write, read back\n"
    "\n"
    "options:\n"
    "  -h, --help              this text; `iscsim COMMAND --help` for a command's options\n"
    "  --version               print the version\n"
    "\n"
    "exit status: 0 success, 2 bad input (scenario, option, value), 1 internal error\n";

}  // namespace

int main(int argc, char** argv) {
  using namespace iscsim::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitBadInput;
  }
  const std::string& command = args.front();
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "-h" || command == "--help" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version") {
    std::cout << "iscsim " << iscsim::build::kVersion << "\n";
    return kExitOk;
  }
  if (command == "run") return run_command(rest);
  if (command == "validate") return validate_command(rest);
  if (command == "calibrate") return calibrate_command(rest);
  if (command == "compare") return compare_command(rest);
  if (command == "sweep") return sweep_command(rest);
  if (command == "report") return report_command(rest);
  if (command == "serve") return serve_command(rest);
  if (command == "probe") return probe_command(rest);
  std::cerr << "iscsim: unknown command \"" << command << "\"; allowed commands: run, validate, calibrate, compare, sweep, report, serve, probe (see iscsim --help)\n";
  return kExitBadInput;
}
