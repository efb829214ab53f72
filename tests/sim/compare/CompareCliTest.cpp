// `iscsim compare` end to end on real short runs: its Table 2 equals the formula recomputed from
// the two bins.csv, a run against itself is 0 everywhere, and bad input exits 2 writing nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>

#include <unistd.h>

#include "tests/sim/e2e/CsvTable.hpp"
#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kNonIdleBins[] = {"others", "SCSI", "iSCSI", "Interface", "Kernel", "TCP", "Copies", "Driver"};
const char* const kCounters[] = {"cycles", "l2_misses", "clears"};

// Short runs shared by the tests: SMP 64 KB writes a, b (interrupts round robin), a 3.2 GHz one
// and a read; AMP 64 KB writes.
class CompareCli : public ::testing::Test {
 protected:
  // Per process: ctest runs each test in a process of its own, several at once.
  static fs::path root() {
    return fs::path(::testing::TempDir()) / "iscsim-tests" / ("CompareCli.runs-" + std::to_string(::getpid()));
  }
  static void TearDownTestSuite() { fs::remove_all(root()); }

  static void SetUpTestSuite() {
    fs::remove_all(root());
    const std::map<std::string, std::string> runs{
        {"a", "paper/smp-write-64k.json"},
        {"b", "paper/smp-write-64k.json --set host.irq_routing=round_robin"},
        {"read", "paper/smp-read-64k.json"},
        {"fast", "paper/smp-write-64k.json --set host.cpu.frequency_ghz=3.2"},
        {"amp", "paper/amp-write-64k.json"}};
    for (const auto& [name, args] : runs) {
      const Invocation r =
          run_iscsim("run " + scenario_path(args) + kQuickRun + " -o " + (root() / name).string(), root() / ("log-" + name));
      ASSERT_EQ(r.exit_code, 0) << name << ": " << r.stderr_text;
    }
  }

  static Invocation compare(const std::string& args, const fs::path& scratch) {
    return run_iscsim("compare " + args, scratch);
  }
  static std::string run_dir(const std::string& name) { return (root() / name).string(); }
};

// bin -> counter -> value summed over the CPUs of a bins.csv.
std::map<std::string, std::map<std::string, double>> summed_bins(const fs::path& csv) {
  std::map<std::string, std::map<std::string, double>> sum;
  for (const auto& row : read_csv(csv).rows)
    if (!row.at("value").empty()) sum[row.at("bin")][row.at("counter")] += std::stod(row.at("value"));
  return sum;
}

std::optional<double> expected_improvement(double base, double total, double other) {
  if (base == 0) return std::nullopt;
  return 100.0 * (base / total) * (1.0 - other / base);
}

void expect_value(const json& v, const std::optional<double>& expected, const std::string& what) {
  if (!expected) {
    EXPECT_TRUE(v.is_null()) << what << ": " << v.dump();
    return;
  }
  ASSERT_TRUE(v.is_number()) << what << ": " << v.dump();
  EXPECT_NEAR(v.get<double>(), *expected, 1e-9 * std::max(1.0, std::abs(*expected))) << what;
}

// compare.json's Table 2 against the formula over the sums of the two runs' bins.csv.
void expect_table2_from_bins_csv(const json& c, const fs::path& base_run, const fs::path& other_run) {
  const auto a = summed_bins(base_run / "bins.csv");
  const auto b = summed_bins(other_run / "bins.csv");
  std::map<std::string, double> total;
  for (const auto& [bin, counters] : a)
    for (const char* k : kCounters) total[k] += counters.at(k);

  ASSERT_EQ(c["table2"].size(), std::size(kNonIdleBins) + 1);
  std::map<std::string, double> non_idle_a, non_idle_b;
  for (std::size_t i = 0; i < std::size(kNonIdleBins); ++i) {
    const std::string bin = kNonIdleBins[i];
    const json& row = c["table2"][i];
    ASSERT_EQ(row["bin"], bin);
    for (const char* k : kCounters) {
      non_idle_a[k] += a.at(bin).at(k);
      non_idle_b[k] += b.at(bin).at(k);
      expect_value(row[k]["improvement_pct"], expected_improvement(a.at(bin).at(k), total[k], b.at(bin).at(k)),
                   bin + " " + k);
    }
  }
  for (const char* k : kCounters)
    expect_value(c["table2"].back()[k]["improvement_pct"], expected_improvement(non_idle_a[k], total[k], non_idle_b[k]),
                 std::string("TOTAL ") + k);
}

TEST_F(CompareCli, Table2IsTheFormulaRecomputedFromBothBinsCsv) {
  const auto dir = scratch_dir("ab");
  const Invocation r = compare(run_dir("a") + " " + run_dir("b") + " -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("Table 2"), std::string::npos) << r.stdout_text;
  const json c = read_json(dir / "out" / "compare.json");
  expect_table2_from_bins_csv(c, root() / "a", root() / "b");

  // The summaries side by side are the runs' own figures.
  const json ra = read_json(root() / "a" / "results.json");
  const json rb = read_json(root() / "b" / "results.json");
  for (const char* m : {"throughput_MBps", "cpu_util_pct", "ghz_per_gbps"}) {
    EXPECT_EQ(c["summary"][m]["base"], ra["summary"][m]) << m;
    EXPECT_EQ(c["summary"][m]["other"], rb["summary"][m]) << m;
  }
  // compare.csv holds the same Table 2 as compare.json.
  int rows = 0;
  for (const auto& row : read_csv(dir / "out" / "compare.csv").rows) {
    if (row.at("section") != "table2") continue;
    ++rows;
    for (const json& j : c["table2"])
      if (j["bin"] == row.at("bin")) {
        const json& v = j[row.at("counter")]["improvement_pct"];
        if (v.is_null())
          EXPECT_TRUE(row.at("improvement_pct").empty());
        else
          EXPECT_DOUBLE_EQ(std::stod(row.at("improvement_pct")), v.get<double>());
      }
  }
  EXPECT_EQ(rows, 9 * 3);
}

TEST_F(CompareCli, ARunAgainstItselfIsZeroInEveryBin) {
  const auto dir = scratch_dir("aa");
  const Invocation r =
      compare(run_dir("a") + " " + run_dir("a") + "/results.json -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  const json c = read_json(dir / "out" / "compare.json");
  const auto a = summed_bins(root() / "a" / "bins.csv");
  for (const json& row : c["table2"])
    for (const char* k : kCounters) {
      const json& v = row[k]["improvement_pct"];
      if (v.is_null())
        EXPECT_EQ(a.at(row["bin"].get<std::string>()).at(k), 0.0) << row["bin"] << " " << k;
      else
        EXPECT_EQ(v.get<double>(), 0.0) << row["bin"] << " " << k;
    }
  EXPECT_FALSE(c["roles_differ"].get<bool>());
  EXPECT_EQ(c["summary"]["throughput_MBps"]["change_pct"].get<double>(), 0.0);
}

TEST_F(CompareCli, DefaultOutputIsNamedAfterBothRunDirectories) {
  const auto dir = scratch_dir("default");
  fs::create_directories(dir);
  const std::string out = shell("cd " + dir.string() + " && " + ISCSIM_BINARY + " compare " + run_dir("a") + " " +
                                run_dir("b") + "/ 2>&1; echo status=$?");
  EXPECT_NE(out.find("status=0"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir / "out" / "compare-a-vs-b" / "compare.json")) << out;
  EXPECT_TRUE(fs::exists(dir / "out" / "compare-a-vs-b" / "compare.csv")) << out;
}

TEST_F(CompareCli, BadInputExits2NamingTheFileAndKeyAndWritesNothing) {
  const auto dir = scratch_dir("bad");
  const std::string out = " -o " + (dir / "out").string();
  struct Case {
    std::string args;
    std::vector<std::string> named;
  };
  const std::vector<Case> cases{
      {run_dir("a") + " " + (dir / "missing").string(), {"missing", "no such"}},
      {run_dir("a"), {"two runs"}},
      {run_dir("a") + " " + run_dir("read"), {"scenario.workload.op", "read/results.json", "\"write\""}},
      {run_dir("a") + " " + run_dir("fast"), {"frequency_ghz", "fast/results.json", "3.2"}},
      {run_dir("a") + " " + scenario_path("paper/smp-write-64k.json"), {"smp-write-64k.json", "not an iscsim results file"}}};
  for (const Case& c : cases) {
    const Invocation r = compare(c.args + out, dir);
    EXPECT_EQ(r.exit_code, 2) << c.args << ": " << r.stderr_text;
    for (const std::string& needle : c.named) EXPECT_NE(r.stderr_text.find(needle), std::string::npos) << r.stderr_text;
    EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
    EXPECT_FALSE(fs::exists(dir / "out")) << c.args;
  }
  // A directory iscsim did not write is not replaced.
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine" / "notes.txt") << "keep";
  const Invocation r = compare(run_dir("a") + " " + run_dir("b") + " -o " + (dir / "mine").string(), dir);
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("-o"), std::string::npos) << r.stderr_text;
  EXPECT_TRUE(fs::exists(dir / "mine" / "notes.txt"));
  EXPECT_FALSE(fs::exists(dir / "mine" / "compare.json"));
}

TEST_F(CompareCli, ARepeatedCompareReplacesItsOwnOutput) {
  const auto dir = scratch_dir("again");
  const std::string args = run_dir("a") + " " + run_dir("b") + " -o " + (dir / "out").string();
  ASSERT_EQ(compare(args, dir).exit_code, 0);
  const Invocation r = compare(args, dir);
  EXPECT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_TRUE(fs::exists(dir / "out" / "compare.csv"));
}

TEST_F(CompareCli, SmpAgainstAmpSumsOverEveryRoleAndSubtotalsEach) {
  const auto dir = scratch_dir("smp-amp");
  const Invocation r = compare(run_dir("a") + " " + run_dir("amp") + " -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("OTHER ppe (1 CPU"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("OTHER host (1 CPU"), std::string::npos) << r.stdout_text;
  const json c = read_json(dir / "out" / "compare.json");
  expect_table2_from_bins_csv(c, root() / "a", root() / "amp");
  EXPECT_TRUE(c["roles_differ"].get<bool>());
  const json amp = read_json(root() / "amp" / "results.json");
  EXPECT_EQ(c["summary"]["ghz_per_gbps_dedicated"]["other"], amp["summary"]["ghz_per_gbps_dedicated"]);
  EXPECT_TRUE(c["summary"]["ghz_per_gbps_dedicated"]["base"].is_null());
}

// Per-role subtotals on a hand-made relabelling of an SMP run: the same counters, other roles.
TEST_F(CompareCli, RolesThatDifferArePrintedAsSubtotals) {
  const auto dir = scratch_dir("roles");
  json amp = read_json(root() / "b" / "results.json");
  amp["cpus"][0]["role"] = "ppe";
  amp["cpus"][1]["role"] = "host";
  amp["summary"]["cpu_dedicated_pct"] = nullptr;
  amp["summary"]["ghz_per_gbps_dedicated"] = nullptr;
  fs::create_directories(dir / "amp-fixture");
  std::ofstream(dir / "amp-fixture" / "results.json") << amp.dump();
  const Invocation r = compare(run_dir("a") + " " + (dir / "amp-fixture").string() + " -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stdout_text.find("OTHER ppe (1 CPU"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("OTHER host (1 CPU"), std::string::npos) << r.stdout_text;
  EXPECT_NE(r.stdout_text.find("BASE cpu (2 CPUs"), std::string::npos) << r.stdout_text;
  const json c = read_json(dir / "out" / "compare.json");
  EXPECT_TRUE(c["roles_differ"].get<bool>());
  EXPECT_TRUE(c["summary"]["cpu_dedicated_pct"]["other"].is_null());
  // Summed over all CPUs whatever their role: the same Table 2 as b against a.
  const Invocation same = compare(run_dir("a") + " " + run_dir("b") + " -o " + (dir / "ab").string(), dir);
  ASSERT_EQ(same.exit_code, 0) << same.stderr_text;
  EXPECT_EQ(c["table2"], read_json(dir / "ab" / "compare.json")["table2"]);
}

}  // namespace
}  // namespace iscsim::testing
