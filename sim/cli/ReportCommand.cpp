// `iscsim report DIR`: the reproduction report, an HTML page drawn by analysis/report.py (with
// Debian's matplotlib and pandas) from result files only. This command hands over to the script.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "BuildInfo.hpp"
#include "sim/cli/Commands.hpp"

namespace iscsim::cli {

namespace {

// Debian's interpreter: the one scripts/install-deps.sh gives matplotlib and pandas (the first
// python3 on PATH may be another without them).
constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kScript = "report.py";
// How the script names itself in its help and messages.
constexpr const char* kCommandVariable = "ISCSIM_COMMAND";
constexpr const char* kCommandName = "iscsim report";

// $ISCSIM_ANALYSIS_DIR, else analysis/ of the source tree the binary was built from.
std::string analysis_dir() {
  if (const char* env = std::getenv("ISCSIM_ANALYSIS_DIR")) return env;
  return std::string(build::kSourceDir) + "/analysis";
}

}  // namespace

int report_command(const std::vector<std::string>& args) {
  const std::string script = analysis_dir() + "/" + kScript;
  if (!std::filesystem::is_regular_file(script)) {
    std::cerr << "iscsim report: internal error: " << script
              << " not found (analysis/ of the source tree iscsim was built from, or $ISCSIM_ANALYSIS_DIR)\n";
    return kExitInternal;
  }
  std::vector<std::string> words{kPython, script};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  ::setenv(kCommandVariable, kCommandName, 1);
  // The script's exit status is the command's: 0, 2 for bad input (naming the file), 1 otherwise.
  ::execv(kPython, argv.data());
  std::cerr << "iscsim report: internal error: cannot run " << kPython << ": " << std::strerror(errno)
            << " (scripts/install-deps.sh installs it)\n";
  return kExitInternal;
}

}  // namespace iscsim::cli
