#include "sim/compare/RunResults.hpp"

#include <filesystem>
#include <fstream>
#include <set>

#include "models/cpu/Bin.hpp"

namespace iscsim::compare {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kResultsFile = "results.json";

[[noreturn]] void bad(const std::string& file, const std::string& key, const std::string& message) {
  throw CompareInputError(file + ": " + (key.empty() ? "" : key + ": ") + message);
}

const json& member(const json& parent, const std::string& key, const std::string& parent_path,
                   const std::string& file) {
  const std::string path = parent_path.empty() ? key : parent_path + "." + key;
  if (!parent.is_object() || !parent.contains(key))
    bad(file, path, "missing; not an iscsim results file (see INTERFACE.md, results.json keys)");
  return parent[key];
}

double number(const json& parent, const std::string& key, const std::string& parent_path, const std::string& file) {
  const json& v = member(parent, key, parent_path, file);
  if (!v.is_number()) bad(file, parent_path + "." + key, "expected a number, found " + v.dump());
  return v.get<double>();
}

std::string label_of(const fs::path& given, const fs::path& file) {
  if (file.filename() != kResultsFile) return file.stem().string();
  fs::path dir = fs::absolute(given == file ? file.parent_path() : given).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "out/run/" names "run"
  return dir.filename().string();
}

CpuResults read_cpu(const json& cpu, std::size_t index, const std::string& file) {
  const std::string at = "cpus[" + std::to_string(index) + "]";
  CpuResults c;
  c.id = static_cast<int>(number(cpu, "id", at, file));
  const json& role = member(cpu, "role", at, file);
  if (!role.is_string()) bad(file, at + ".role", "expected a string (cpu, host or ppe), found " + role.dump());
  c.role = role.get<std::string>();
  c.frequency_ghz = number(cpu, "frequency_ghz", at, file);
  const json& bins = member(cpu, "bins", at, file);
  for (std::string_view name : models::kBinNames) {
    const std::string bin(name);
    const json& b = member(bins, bin, at + ".bins", file);
    for (const char* counter : kCounters) c.bins[bin][counter] = number(b, counter, at + ".bins." + bin, file);
    c.bins[bin]["pct_cpu"] = number(b, "pct_cpu", at + ".bins." + bin, file);
  }
  return c;
}

std::string value_text(const json& parent, const std::string& key) {
  return parent.contains(key) ? parent[key].dump() : "absent";
}

std::set<double> frequencies(const RunResults& r) {
  std::set<double> f;
  for (const CpuResults& c : r.cpus) f.insert(c.frequency_ghz);
  return f;
}

std::string list(const std::set<double>& values) {
  std::string text;
  for (double v : values) text += (text.empty() ? "" : ", ") + json(v).dump();
  return text;
}

}  // namespace

RunResults load_run_results(const std::string& path) {
  const fs::path given(path);
  std::error_code ec;
  if (!fs::exists(given, ec)) bad(path, "", "no such file or directory (expected a run directory or a results.json)");
  const fs::path file = fs::is_directory(given, ec) ? given / kResultsFile : given;
  const std::string name = file.string();
  if (!fs::is_regular_file(file, ec)) bad(name, "", "no such file (expected a run directory holding results.json)");
  std::ifstream in(file);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    bad(name, "", std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) bad(name, "", "not an iscsim results file: expected a JSON object");

  RunResults r;
  r.path = name;
  r.label = label_of(given, file);
  const json& scenario = member(j, "scenario", "", name);
  r.scenario_name = scenario.value("name", "");
  r.workload = member(scenario, "workload", "scenario", name);
  r.frequency_ghz = number(member(member(scenario, "host", "scenario", name), "cpu", "scenario.host", name),
                           "frequency_ghz", "scenario.host.cpu", name);
  const json& cpus = member(j, "cpus", "", name);
  if (!cpus.is_array()) bad(name, "cpus", "expected an array of CPUs, found " + cpus.dump());
  for (std::size_t i = 0; i < cpus.size(); ++i) r.cpus.push_back(read_cpu(cpus[i], i, name));
  r.summary = member(j, "summary", "", name);
  number(r.summary, "throughput_MBps", "summary", name);
  return r;
}

void check_comparable(const RunResults& base, const RunResults& other) {
  for (const char* key : kWorkloadKeys) {
    const std::string a = value_text(base.workload, key);
    const std::string b = value_text(other.workload, key);
    if (a != b)
      throw CompareInputError("different workloads: scenario.workload." + std::string(key) + " is " + a + " in " +
                              base.path + " but " + b + " in " + other.path);
  }
  if (base.frequency_ghz != other.frequency_ghz)
    throw CompareInputError("different CPU frequencies: scenario.host.cpu.frequency_ghz is " +
                            json(base.frequency_ghz).dump() + " in " + base.path + " but " +
                            json(other.frequency_ghz).dump() + " in " + other.path);
  const std::set<double> fa = frequencies(base);
  const std::set<double> fb = frequencies(other);
  if (!fa.empty() && !fb.empty() && fa != fb)
    throw CompareInputError("different CPU frequencies: cpus[].frequency_ghz is " + list(fa) + " in " + base.path +
                            " but " + list(fb) + " in " + other.path);
}

}  // namespace iscsim::compare
