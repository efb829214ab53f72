// The analysis/ scripts on small real runs and hand-made sweep tables: each writes its PNG, SVG
// and FIG.data.csv, and every value in the data file is the one in the files it was drawn from.
// Skipped where /usr/bin/python3 lacks matplotlib or pandas.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include <unistd.h>

#include "tests/sim/e2e/CsvTable.hpp"
#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kScripts[] = {"hotspots.py", "throughput.py", "scaling.py", "cmp_study.py", "tables.py"};

Invocation run_script(const std::string& script, const std::string& args, const fs::path& scratch) {
  fs::create_directories(scratch);
  const std::string cmd = std::string(kDebianPython) + " " + ISCSIM_SOURCE_DIR + "/analysis/" + script + " " + args + " >" +
                          (scratch / "stdout.txt").string() + " 2>" + (scratch / "stderr.txt").string();
  const int status = std::system(cmd.c_str());
  return Invocation{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(scratch / "stdout.txt"),
                    read_text(scratch / "stderr.txt")};
}

void expect_same(const std::string& cell, const json& value, const std::string& what) {
  if (value.is_null()) {
    EXPECT_TRUE(cell.empty()) << what << ": " << cell;
    return;
  }
  ASSERT_FALSE(cell.empty()) << what;
  const double v = value.get<double>();
  EXPECT_NEAR(std::stod(cell), v, 1e-12 * std::max(1.0, std::abs(v))) << what;
}

void expect_figure(const fs::path& out, const std::string& name) {
  for (const char* ext : {".png", ".svg", ".data.csv"}) {
    ASSERT_TRUE(fs::exists(out / (name + ext))) << name << ext;
    EXPECT_GT(fs::file_size(out / (name + ext)), 0u) << name << ext;
  }
}

// Short runs (64 KB writes on SMP, twice with different interrupt routing, on AMP and on the
// ideal host; 8 KB reads on SMP) and a compare of the two SMP writes.
class AnalysisScripts : public ::testing::Test {
 protected:
  // Per process: ctest runs each test in a process of its own, several at once.
  static fs::path root() {
    return fs::path(::testing::TempDir()) / "iscsim-tests" / ("AnalysisScripts.runs-" + std::to_string(::getpid()));
  }
  static void TearDownTestSuite() { fs::remove_all(root()); }
  static std::string run_dir(const std::string& name) { return (root() / name).string(); }
  static json results(const std::string& name) { return read_json(root() / name / "results.json"); }

  static void SetUpTestSuite() {
    if (!have_python_libraries()) return;
    fs::remove_all(root());
    const std::map<std::string, std::string> runs{
        {"w64", "paper/smp-write-64k.json"},
        {"w64rr", "paper/smp-write-64k.json --set host.irq_routing=round_robin"},
        {"r8", "paper/smp-read-8k.json"},
        {"ideal", "ideal-write-64k.json"},
        {"amp64", "paper/amp-write-64k.json"}};
    for (const auto& [name, args] : runs) {
      const Invocation r =
          run_iscsim("run " + scenario_path(args) + kQuickRun + " -o " + run_dir(name), root() / ("log-" + name));
      ASSERT_EQ(r.exit_code, 0) << name << ": " << r.stderr_text;
    }
    const Invocation c = run_iscsim("compare " + run_dir("w64") + " " + run_dir("w64rr") + " -o " + run_dir("cmp"),
                                    root() / "log-cmp");
    ASSERT_EQ(c.exit_code, 0) << c.stderr_text;
  }

  void SetUp() override {
    if (!have_python_libraries()) GTEST_SKIP() << kDebianPython << " lacks matplotlib or pandas (scripts/install-deps.sh)";
  }
};

TEST_F(AnalysisScripts, EveryScriptHasHelp) {
  for (const char* script : kScripts) {
    const Invocation r = run_script(script, "--help", scratch_dir(script));
    EXPECT_EQ(r.exit_code, 0) << script << ": " << r.stderr_text;
    EXPECT_NE(r.stdout_text.find("usage"), std::string::npos) << script;
  }
}

TEST_F(AnalysisScripts, HotspotsPlotEachCpusPctCpuPerBin) {
  const auto dir = scratch_dir("hotspots");
  const Invocation r = run_script("hotspots.py", run_dir("w64") + " " + run_dir("amp64") + " " + run_dir("r8") + " " +
                                                     run_dir("ideal") + " -o " + (dir / "out").string() + " --name fig6",
                                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("ideal"), std::string::npos) << "the ideal run is said to be left out";
  expect_figure(dir / "out", "fig6");
  const CsvTable data = read_csv(dir / "out" / "fig6.data.csv");
  std::size_t expected_rows = 0;
  for (const char* run : {"w64", "amp64", "r8"}) expected_rows += results(run)["cpus"].size() * 8;  // the busy bins
  ASSERT_EQ(data.rows.size(), expected_rows);
  for (const auto& row : data.rows) {
    const json cpus = results(row.at("run"))["cpus"];
    const json& cpu = cpus[std::stoi(row.at("cpu"))];
    EXPECT_EQ(row.at("role"), cpu["role"].get<std::string>());
    expect_same(row.at("pct_cpu"), cpu["bins"][row.at("bin")]["pct_cpu"], row.at("run") + " " + row.at("bin"));
    EXPECT_NE(row.at("bin"), "idle");
  }
  EXPECT_TRUE(std::any_of(data.rows.begin(), data.rows.end(), [](const auto& row) { return row.at("role") == "ppe"; }));
}

TEST_F(AnalysisScripts, ThroughputPlotsEachRunsSummaryNullStaysEmpty) {
  const auto dir = scratch_dir("throughput");
  const Invocation r = run_script(
      "throughput.py",
      run_dir("w64") + " " + run_dir("amp64") + " " + run_dir("r8") + " " + run_dir("ideal") + " -o " +
          (dir / "out").string(),
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_figure(dir / "out", "throughput");
  const CsvTable data = read_csv(dir / "out" / "throughput.data.csv");
  ASSERT_EQ(data.rows.size(), 4u);
  for (const auto& row : data.rows) {
    const json summary = results(row.at("run"))["summary"];
    for (const char* m : {"throughput_MBps", "cpu_util_pct", "ghz_per_gbps", "cpu_dedicated_pct",
                          "ghz_per_gbps_dedicated"})
      expect_same(row.at(m), summary[m], row.at("run") + " " + m);
  }
}

// Runs a sweep script on `dir`/sweep (its sweep.csv already written) and reads its data file.
CsvTable plot_sweep(const std::string& script, const fs::path& dir) {
  const Invocation r = run_script(script + ".py", (dir / "sweep").string() + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  expect_figure(dir / "out", script);
  return read_csv(dir / "out" / (script + ".data.csv"));
}

// A sweep table as `iscsim sweep` writes it, with a repetition, a failed point, a column the
// scripts do not know, and hand-made numbers that exercise the code paths (not results).
TEST_F(AnalysisScripts, ScalingPlotsCostAgainstFrequencyAveragingRepetitions) {
  const auto dir = scratch_dir("scaling");
  write_text(dir / "sweep" / "sweep.csv",
        "point,host.cpu.frequency_ghz,host.architecture,workload.op,run.seed,throughput_MBps,iops,cpu_util_pct,"
        "ghz_per_gbps,cpu_dedicated_pct,ghz_per_gbps_dedicated,sim_time_s,status,extra,run_info.wall_time_s\n"
        "p1,1.6,smp,write,1,200,1,180,1.5,,,0.5,ok,x,1\n"
        "p2,2.4,smp,write,1,230,1,150,1.75,,,0.5,ok,x,1\n"
        "p3,2.4,smp,write,2,230,1,150,2.25,,,0.5,ok,x,1\n"
        "p4,1.6,amp,write,1,220,1,120,1.25,150,1.5,0.5,ok,x,1\n"
        "p5,3.2,amp,write,1,,,,,,,,failed,x,1\n");
  const CsvTable data = plot_sweep("scaling", dir);
  ASSERT_EQ(data.rows.size(), 3u);  // the failed point is not drawn
  std::map<std::string, const std::map<std::string, std::string>*> by;
  for (const auto& row : data.rows) by[row.at("architecture") + "@" + row.at("frequency_ghz")] = &row;
  ASSERT_TRUE(by.count("smp@2.4") && by.count("smp@1.6") && by.count("amp@1.6"));
  EXPECT_DOUBLE_EQ(std::stod(by["smp@2.4"]->at("ghz_per_gbps")), 2.0);
  EXPECT_EQ(by["smp@2.4"]->at("points"), "2");
  EXPECT_DOUBLE_EQ(std::stod(by["smp@1.6"]->at("ghz_per_gbps")), 1.5);
  EXPECT_TRUE(by["smp@1.6"]->at("ghz_per_gbps_dedicated").empty());
  EXPECT_DOUBLE_EQ(std::stod(by["amp@1.6"]->at("ghz_per_gbps_dedicated")), 1.5);
  EXPECT_EQ(by["amp@1.6"]->at("series"), "amp write");
}

TEST_F(AnalysisScripts, CmpStudyPlotsEachPpeHostSplitBesideSmp) {
  const auto dir = scratch_dir("cmp");
  write_text(dir / "sweep" / "sweep.csv",
        "point,host.architecture,host.cores,host.ppes,throughput_MBps,cpu_util_pct,ghz_per_gbps,cpu_dedicated_pct,"
        "ghz_per_gbps_dedicated,status\n"
        "a,smp,4,,230,300,3.5,,,ok\n"
        "b,amp,4,1,240,200,2.5,250,3.25,ok\n"
        "c,amp,4,2,250,210,2.75,260,3.5,ok\n"
        "d,amp,8,2,440,300,1.5,400,2,ok\n");
  const CsvTable data = plot_sweep("cmp_study", dir);
  ASSERT_EQ(data.rows.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected{
      {"SMP", "230"}, {"1:3", "240"}, {"2:2", "250"}, {"2:6", "440"}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(data.rows[i].at("split"), expected[i].first);
    EXPECT_DOUBLE_EQ(std::stod(data.rows[i].at("throughput_MBps")), std::stod(expected[i].second));
  }
  EXPECT_DOUBLE_EQ(std::stod(data.rows[1].at("ghz_per_gbps_dedicated")), 3.25);
  EXPECT_TRUE(data.rows[0].at("ppes").empty());
}

// A sweep that fixes host.architecture (not an axis, so not a column): the points' results.json say it.
TEST_F(AnalysisScripts, CmpStudyReadsAFixedArchitectureFromThePoints) {
  const auto dir = scratch_dir("cmp-fixed");
  write_text(dir / "sweep" / "sweep.csv",
        "point,host.cores,host.ppes,throughput_MBps,ghz_per_gbps,status,exit_status,error\n"
        "p1,2,1,200,2,ok,,\n"
        "p2,3,1,210,1.5,ok,,\n"
        "p3,3,2,,,failed,2,\"bad, really\"\n");
  for (const char* p : {"p1", "p2"})
    write_text(dir / "sweep" / "points" / p / "results.json", R"({"scenario": {"host": {"architecture": "amp"}}})");
  const CsvTable data = plot_sweep("cmp_study", dir);
  ASSERT_EQ(data.rows.size(), 2u);
  EXPECT_EQ(data.rows[0].at("architecture"), "amp");
  EXPECT_EQ(data.rows[0].at("split"), "1:1");
  EXPECT_EQ(data.rows[1].at("split"), "1:2");
  EXPECT_DOUBLE_EQ(std::stod(data.rows[1].at("ghz_per_gbps")), 1.5);
}

TEST_F(AnalysisScripts, TablesAreTheRunsAndTheComparesOwnFigures) {
  const auto dir = scratch_dir("tables");
  const Invocation r = run_script("tables.py", run_dir("w64") + " " + run_dir("cmp") + " -o " + (dir / "out").string(),
                                  dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(fs::exists(dir / "out" / "table1-w64.txt"));
  const json run = results("w64");
  const CsvTable t1 = read_csv(dir / "out" / "table1-w64.csv");
  ASSERT_EQ(t1.rows.size(), run["cpus"].size() * 10);  // nine bins and the non-idle total
  for (const auto& row : t1.rows) {
    const json& cpu = run["cpus"][std::stoi(row.at("cpu"))];
    if (row.at("bin") == "Total non-idle") {
      double cycles = 0;
      for (const auto& [bin, b] : cpu["bins"].items())
        if (bin != "idle") cycles += b["cycles"].get<double>();
      EXPECT_NEAR(std::stod(row.at("cycles")), cycles, 1e-9 * cycles);
      continue;
    }
    for (const char* k : {"cycles", "instr", "clears", "l2_misses", "pct_cpu", "cpi"})
      expect_same(row.at(k), cpu["bins"][row.at("bin")][k], row.at("bin") + " " + k);
  }
  const json cmp = read_json(root() / "cmp" / "compare.json");
  const CsvTable t2 = read_csv(dir / "out" / "table2-w64-vs-w64rr.csv");
  ASSERT_EQ(t2.rows.size(), cmp["table2"].size());
  for (std::size_t i = 0; i < t2.rows.size(); ++i) {
    EXPECT_EQ(t2.rows[i].at("bin"), cmp["table2"][i]["bin"].get<std::string>());
    for (const char* k : {"cycles", "l2_misses", "clears"})
      expect_same(t2.rows[i].at(std::string(k) + "_improvement_pct"), cmp["table2"][i][k]["improvement_pct"],
                  t2.rows[i].at("bin") + " " + k);
  }
}

TEST_F(AnalysisScripts, BadInputExits2NamingItAndWritesNothing) {
  const auto dir = scratch_dir("bad");
  const std::string out = " -o " + (dir / "out").string();
  Invocation r = run_script("hotspots.py", (dir / "nowhere").string() + out, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nowhere"), std::string::npos) << r.stderr_text;
  write_text(dir / "sweep" / "sweep.csv", "point,throughput_MBps,ghz_per_gbps\np,1,1\n");
  r = run_script("scaling.py", (dir / "sweep").string() + out, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("host.cpu.frequency_ghz"), std::string::npos) << r.stderr_text;
  write_text(dir / "failed" / "sweep.csv", "point,host.cpu.frequency_ghz,throughput_MBps,ghz_per_gbps,status\np,2.4,,,failed\n");
  r = run_script("scaling.py", (dir / "failed").string() + out, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nothing to plot"), std::string::npos) << r.stderr_text;
  r = run_script("tables.py", (dir / "sweep").string() + out, dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("results.json"), std::string::npos) << r.stderr_text;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
}  // namespace iscsim::testing
