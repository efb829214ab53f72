#pragma once
// The iscsim subcommands. Each returns the process exit status: 0 success, 2 bad input
// (scenario, option, value), 1 internal error.
#include <string>
#include <vector>

namespace iscsim::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// `args` are the words after the command name.
int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int calibrate_command(const std::vector<std::string>& args);
int compare_command(const std::vector<std::string>& args);
int sweep_command(const std::vector<std::string>& args);
// Runs analysis/report.py; its exit status is the command's.
int report_command(const std::vector<std::string>& args);

// Where parameter files live: $ISCSIM_PARAMS_DIR, else the source tree the binary was built from.
std::string params_dir();

}  // namespace iscsim::cli
