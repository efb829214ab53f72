#include "sim/run/ParameterSets.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "models/common/ParamSet.hpp"
#include "sim/scenario/ScenarioError.hpp"

namespace iscsim::run {

namespace {

namespace fs = std::filesystem;

// The set names under `params_dir`/`kind`, sorted, joined for a message.
std::string names_in(const std::string& params_dir, const std::string& kind) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(fs::path(params_dir) / kind, ec))
    if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// `also`: a further allowed value that names no set (for a key that can switch its mechanism off).
void check(const scenario::Scenario& s, const std::string& params_dir, const char* key, const char* kind,
           const std::string& name, const char* also = nullptr) {
  if (also != nullptr && name == also) return;
  if (fs::is_regular_file(models::ParamSet::path_of(params_dir, kind, name))) return;
  if (models::ParamSet::names_a_file(name)) throw scenario::ScenarioError(s.source_file, key, "no parameter file " + name);
  throw scenario::ScenarioError(s.source_file, key,
                                "'" + name + "' is no parameter set under models/params/" + kind + "/; allowed: " +
                                    (also != nullptr ? std::string(also) + ", " : std::string()) +
                                    names_in(params_dir, kind) + ", or a path to a .json file");
}

}  // namespace

void check_parameter_sets(const scenario::Scenario& s, const std::string& params_dir) {
  check(s, params_dir, "host.cpu.model", "cpu", s.host.cpu.model);
  check(s, params_dir, "host.cache.model", "cache", s.host.cache_model);
  check(s, params_dir, "host.kernel_objects", "kernel", s.host.kernel_objects);
  check(s, params_dir, "host.profiler", "profiler", s.host.profiler, scenario::kNoProfiler);
  check(s, params_dir, "host.code_paths", "paths", s.host.code_paths);
  check(s, params_dir, "host.code_path_patch", "patches", s.host.code_path_patch, scenario::kNoCodePathPatch);
  check(s, params_dir, "nics.model", "nic", s.nics.model);
  check(s, params_dir, "pci.model", "pci", s.pci.model);
  check(s, params_dir, "target.ramdisk_model", "disk", s.target.ramdisk_model);
  check(s, params_dir, "target.nic_driver", "driver", s.target.nic_driver, scenario::kSameNicDriver);
  check(s, params_dir, "amp.code_paths", "paths", s.amp.code_paths);
  check(s, params_dir, "amp.queues", "amp", s.amp.queues);
}

}  // namespace iscsim::run
