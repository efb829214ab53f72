#pragma once
// Runs the iscsim binary as a user would and reads what it wrote.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace iscsim::testing {

struct Invocation {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::filesystem::path scratch_dir(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  auto dir = std::filesystem::path(::testing::TempDir()) / "iscsim-tests" /
             (std::string(info->test_suite_name()) + "." + info->name() + "." + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  return dir;
}

// `args` is appended to the binary's path verbatim (quote as a shell would).
inline Invocation run_iscsim(const std::string& args, const std::filesystem::path& scratch) {
  std::filesystem::create_directories(scratch);
  const auto out = scratch / "stdout.txt";
  const auto err = scratch / "stderr.txt";
  const std::string cmd = std::string(ISCSIM_BINARY) + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(cmd.c_str());
  Invocation inv;
  inv.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  inv.stdout_text = read_text(out);
  inv.stderr_text = read_text(err);
  return inv;
}

// Standard output of a shell command.
inline std::string shell(const std::string& cmd) {
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Writes `text` to `p`, creating its parent directories.
inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// TCP payload over the paper's two gigabit links: 2 x 125 MB/s x 1448 / 1538 with timestamps
// (README, "The TCP bound").
inline constexpr double kTcpBoundMBps = 2 * 125.0 * 1448.0 / 1538.0;

// A LUN the paper workloads read back whole: three 2 MiB regions, one per dynamo worker of a
// target (three 64 KB I/O regions tile it), and its 512 B blocks, which a read-back verifies.
inline constexpr long kTestLunBytes = 6'291'456;
inline constexpr long kTestLunBlocks = kTestLunBytes / 512;
inline const std::string kTestLun = " --set target.lun_bytes=" + std::to_string(kTestLunBytes) + " ";

// A run short enough for tests that check shapes and invariants, not figures.
inline constexpr const char* kQuickRun = " --set run.duration_s=0.05 --set run.warmup_s=0.02 --set workload.readback=false";

// Debian's interpreter, which has Debian's matplotlib and pandas (the first python3 on PATH may not).
inline constexpr const char* kDebianPython = "/usr/bin/python3";
inline bool have_python_libraries() {
  return std::system((std::string(kDebianPython) + " -c 'import matplotlib, pandas' >/dev/null 2>&1").c_str()) == 0;
}

inline bool have_tshark() { return std::system("command -v tshark >/dev/null 2>&1") == 0; }

inline nlohmann::json read_json(const std::filesystem::path& p) { return nlohmann::json::parse(read_text(p)); }

inline std::string scenario_path(const std::string& name) {
  return std::string(ISCSIM_SOURCE_DIR) + "/scenarios/" + name;
}

// A copy of the shipped models/params/KIND/NAME.json with `values` set, in its own scratch
// directory `tag`: the path to give `--set`.
inline std::string patched_params(const std::string& tag, const std::string& kind, const std::string& name,
                                  std::initializer_list<std::pair<const char*, double>> values) {
  nlohmann::json params = read_json(std::string(ISCSIM_SOURCE_DIR) + "/models/params/" + kind + "/" + name + ".json");
  for (const auto& [key, value] : values) params["params"][key]["value"] = value;
  const auto file = scratch_dir(tag) / (name + ".json");
  write_text(file, params.dump());
  return file.string();
}

// A short SMP run of `scenario` (under scenarios/; a 0.1 s window after 0.02 s of warm-up) with
// `extra` arguments, in scratch directory `tag`: its results.json. Fails the test if it fails.
// `extra` comes last, so a `--set run.duration_s=...` in it takes the place of the 0.1 s.
inline nlohmann::json run_smp(const std::string& scenario, const std::string& extra, const std::string& tag) {
  const auto dir = scratch_dir(tag);
  const Invocation r = run_iscsim("run " + scenario_path(scenario) + " -o " + (dir / "out").string() +
                                      " --set run.duration_s=0.1 --set run.warmup_s=0.02" + extra,
                                  dir);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(std::filesystem::exists(dir / "out" / "table1.txt"));
  return read_json(dir / "out" / "results.json");
}

// `iscsim run` of `scenario` with one bad `--set PATH=VALUE`, in scratch directory `tag`: refused
// as bad input (exit 2) before anything is written, its error naming each of `words` (the key,
// the value, the allowed ones).
inline void expect_set_refused(const std::string& scenario, const std::string& set,
                               std::initializer_list<const char*> words, const std::string& tag) {
  const auto dir = scratch_dir(tag);
  const Invocation inv =
      run_iscsim("run " + scenario_path(scenario) + " --set " + set + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(inv.exit_code, 2) << set;
  for (const char* word : words) EXPECT_NE(inv.stderr_text.find(word), std::string::npos) << word << ": " << inv.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir / "out")) << set;
}

// A quick run (kQuickRun) of an AMP `scenario`, as run_smp.
inline nlohmann::json run_amp(const std::string& scenario, const std::string& extra, const std::string& tag) {
  const auto dir = scratch_dir(tag);
  const Invocation r = run_iscsim("run " + scenario_path(scenario) + " -o " + (dir / "out").string() + kQuickRun + extra, dir);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  return read_json(dir / "out" / "results.json");
}

// A path's count (`key`: calls, l2_misses, ...) on one CPU of results (`cpu`, an element of their
// "cpus") in the window; 0 if it never ran there.
inline double path_count(const nlohmann::json& cpu, const char* path, const char* key = "calls") {
  const nlohmann::json& paths = cpu["paths_in_window"];
  return paths.contains(path) ? paths[path][key].get<double>() : 0.0;
}

// `counter` of `path` per call, over every CPU of results `r` that ran it.
inline double per_call(const nlohmann::json& r, const char* path, const char* counter) {
  double total = 0, calls = 0;
  for (const auto& cpu : r["cpus"]) {
    if (!cpu["paths_in_window"].contains(path)) continue;
    total += cpu["paths_in_window"][path][counter].get<double>();
    calls += cpu["paths_in_window"][path]["calls"].get<double>();
  }
  return total / calls;
}

// The first CPU of results `r` whose role is `role` ("cpu", "host" or "ppe"); null if none.
inline const nlohmann::json* cpu_with_role(const nlohmann::json& r, const std::string& role) {
  for (const auto& cpu : r["cpus"])
    if (cpu["role"] == role) return &cpu;
  return nullptr;
}

}  // namespace iscsim::testing
