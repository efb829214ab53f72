#pragma once
// One finished run as `iscsim compare` reads it from its results.json: where it came from, the
// workload and clock it ran, its per-CPU bin counters (per MB of payload) and its summary.
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iscsim::compare {

// Bad input to compare: a missing or malformed results file, or two runs that cannot be
// compared. The message names the file and the JSON key at fault.
class CompareInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The Table 2 counters, as results.json names them.
inline constexpr const char* kCounters[] = {"cycles", "l2_misses", "clears"};

// One CPU's counters: bin name -> counter name -> value per MB of payload (pct_cpu in %).
using BinCounters = std::map<std::string, std::map<std::string, double>>;

struct CpuResults {
  int id = 0;
  std::string role;  // "cpu" (smp), "host" or "ppe" (amp)
  double frequency_ghz = 0;
  BinCounters bins;
};

struct RunResults {
  std::string path;  // the results.json read
  std::string label;  // the run directory's name: names the default output directory
  std::string scenario_name;
  nlohmann::json workload;  // scenario.workload as resolved
  double frequency_ghz = 0;  // scenario.host.cpu.frequency_ghz
  std::vector<CpuResults> cpus;  // empty for the ideal host
  nlohmann::json summary;
};

// `path` is a run directory holding results.json, or a results.json file.
RunResults load_run_results(const std::string& path);

// The results.json keys two runs must agree on to be compared (a workload and its clock).
inline constexpr const char* kWorkloadKeys[] = {"type", "op", "request_bytes"};

// Throws CompareInputError naming both files and the first key on which they differ.
void check_comparable(const RunResults& base, const RunResults& other);

}  // namespace iscsim::compare
