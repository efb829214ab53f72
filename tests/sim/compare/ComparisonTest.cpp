// Table 2's formula and its bookkeeping on hand-made results: analytic values, a run against
// itself, zero bins, per-role subtotals, and what makes two runs incomparable.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/cpu/Bin.hpp"
#include "sim/compare/CompareReport.hpp"
#include "sim/compare/Comparison.hpp"
#include "sim/compare/RunResults.hpp"

namespace iscsim::compare {
namespace {

// A CPU whose every counter of bin b is `scale` x (b + 1) (idle: `idle`), %CPU arbitrary.
CpuResults cpu(int id, const std::string& role, double scale, double idle) {
  CpuResults c{id, role, 2.4, {}};
  double k = 1;
  for (std::string_view name : models::kBinNames) {
    const bool is_idle = name == "idle";
    for (const char* counter : kCounters) c.bins[std::string(name)][counter] = is_idle ? idle : scale * k;
    c.bins[std::string(name)]["pct_cpu"] = 5;
    if (!is_idle) ++k;
  }
  return c;
}

RunResults run(const std::string& label, std::vector<CpuResults> cpus) {
  RunResults r;
  r.path = label + "/results.json";
  r.label = label;
  r.workload = nlohmann::json{{"type", "iometer"}, {"op", "write"}, {"request_bytes", 65536}};
  r.frequency_ghz = 2.4;
  r.cpus = std::move(cpus);
  r.summary = nlohmann::json{{"throughput_MBps", 200.0}, {"cpu_util_pct", 150.0}, {"ghz_per_gbps", 1.5},
                             {"cpu_dedicated_pct", nullptr}};
  return r;
}

const CounterComparison& cell(const Comparison& c, const std::string& bin, const std::string& counter) {
  for (const Table2Row& r : c.rows)
    if (r.bin == bin)
      for (const CounterComparison& k : r.counters)
        if (k.counter == counter) return k;
  throw std::runtime_error("no cell " + bin + "/" + counter);
}

TEST(Table2Formula, MatchesThePapersDefinition) {
  // 20 of 100 in BASE, 5 in OTHER: the bin saved 15 of BASE's 100.
  EXPECT_DOUBLE_EQ(*improvement_pct(20, 100, 5), 15.0);
  EXPECT_DOUBLE_EQ(*improvement_pct(20, 100, 20), 0.0);
  EXPECT_DOUBLE_EQ(*improvement_pct(20, 100, 30), -10.0);
  EXPECT_FALSE(improvement_pct(0, 100, 5).has_value());
  EXPECT_FALSE(improvement_pct(5, 0, 5).has_value());
}

TEST(Table2Formula, SumsOverCpusWithIdleInTheDenominator) {
  // BASE: two CPUs, bins 1..8 and idle 10 each: per counter total 2 x (36 + 10) = 92.
  // OTHER: bins scaled by 1/2 on one CPU, so each bin is 1.5 x (b + 1) summed.
  const Comparison c = compare_runs(run("a", {cpu(0, "cpu", 1, 10), cpu(1, "cpu", 1, 10)}),
                                    run("b", {cpu(0, "host", 1, 10), cpu(1, "ppe", 0.5, 10)}));
  for (const char* counter : kCounters) {
    // TCP is the 6th non-idle bin: BASE 2 x 6 = 12, OTHER 6 + 3 = 9.
    const CounterComparison& tcp = cell(c, "TCP", counter);
    EXPECT_DOUBLE_EQ(tcp.base, 12);
    EXPECT_DOUBLE_EQ(tcp.other, 9);
    EXPECT_DOUBLE_EQ(*tcp.improvement_pct, 100.0 * (12.0 / 92.0) * (1.0 - 9.0 / 12.0));
    const CounterComparison& total = cell(c, kTotalRow, counter);
    EXPECT_DOUBLE_EQ(total.base, 72);
    EXPECT_DOUBLE_EQ(total.other, 54);
    EXPECT_DOUBLE_EQ(*total.improvement_pct, 100.0 * (72.0 / 92.0) * (1.0 - 54.0 / 72.0));
  }
  ASSERT_EQ(c.rows.size(), models::kBinCount);  // eight bins and TOTAL
  EXPECT_EQ(c.rows.front().bin, "others");
  EXPECT_EQ(c.rows.back().bin, kTotalRow);
}

TEST(Table2Formula, TotalRowIsTheSumOfTheBinRows) {
  const Comparison c = compare_runs(run("a", {cpu(0, "cpu", 3, 7), cpu(1, "cpu", 1, 50)}),
                                    run("b", {cpu(0, "cpu", 2, 9), cpu(1, "cpu", 1.5, 20)}));
  for (std::size_t k = 0; k < std::size(kCounters); ++k) {
    double sum = 0;
    for (std::size_t i = 0; i + 1 < c.rows.size(); ++i) sum += *c.rows[i].counters[k].improvement_pct;
    EXPECT_NEAR(sum, *c.rows.back().counters[k].improvement_pct, 1e-9);
  }
}

TEST(Table2Formula, ARunAgainstItselfImprovesNothing) {
  const RunResults a = run("a", {cpu(0, "cpu", 3, 7), cpu(1, "cpu", 1, 50)});
  const Comparison c = compare_runs(a, a);
  for (const Table2Row& r : c.rows)
    for (const CounterComparison& k : r.counters) EXPECT_EQ(*k.improvement_pct, 0.0) << r.bin << " " << k.counter;
  for (const SummaryComparison& s : c.summary)
    if (s.change_pct) {
      EXPECT_EQ(*s.change_pct, 0.0) << s.metric;
    }
  EXPECT_FALSE(c.roles_differ);
}

TEST(Table2Formula, ABinThatIsZeroInBaseIsNullNotNaN) {
  RunResults a = run("a", {cpu(0, "cpu", 1, 10)});
  a.cpus[0].bins["Driver"]["clears"] = 0;
  const Comparison c = compare_runs(a, run("b", {cpu(0, "cpu", 1, 10)}));
  EXPECT_FALSE(cell(c, "Driver", "clears").improvement_pct.has_value());
  EXPECT_TRUE(cell(c, "Driver", "cycles").improvement_pct.has_value());
  const nlohmann::json j = comparison_json(c);
  EXPECT_TRUE(j["table2"][7]["clears"]["improvement_pct"].is_null()) << j["table2"][7].dump();
  EXPECT_EQ(comparison_text(c).find("nan"), std::string::npos);
  EXPECT_NE(comparison_csv(c).find("table2,all,Driver,clears,0.0,8.0,,\n"), std::string::npos) << comparison_csv(c);
}

TEST(Table2Formula, AnIdealBaseHasNoCpusAndNoImprovements) {
  RunResults ideal = run("ideal", {});
  ideal.summary["cpu_util_pct"] = nullptr;
  const Comparison c = compare_runs(ideal, run("smp", {cpu(0, "cpu", 1, 10)}));
  for (const Table2Row& r : c.rows)
    for (const CounterComparison& k : r.counters) {
      EXPECT_EQ(k.base, 0.0);
      EXPECT_FALSE(k.improvement_pct.has_value()) << r.bin;
    }
  EXPECT_TRUE(c.roles_differ);
  for (const SummaryComparison& s : c.summary)
    if (s.metric == "cpu_util_pct") {
      EXPECT_FALSE(s.base.has_value() || s.change_pct.has_value());
    }
}

TEST(Table2Formula, RolesAreSubtotalledAndNullSummariesStayNull) {
  const Comparison c = compare_runs(run("smp", {cpu(0, "cpu", 1, 10), cpu(1, "cpu", 1, 10)}),
                                    run("amp", {cpu(0, "ppe", 2, 0), cpu(1, "host", 1, 30)}));
  EXPECT_TRUE(c.roles_differ);
  ASSERT_EQ(c.base_roles.size(), 1u);
  EXPECT_EQ(c.base_roles[0].cpus, 2);
  EXPECT_DOUBLE_EQ(c.base_roles[0].bins.at("TCP").at("cycles"), 12);
  ASSERT_EQ(c.other_roles.size(), 2u);
  EXPECT_EQ(c.other_roles[0].role, "ppe");
  EXPECT_DOUBLE_EQ(c.other_roles[0].bins.at("TCP").at("cycles"), 12);
  EXPECT_DOUBLE_EQ(c.other_roles[1].bins.at("idle").at("clears"), 30);
  const std::string text = comparison_text(c);
  EXPECT_NE(text.find("OTHER ppe (1 CPU"), std::string::npos) << text;
  EXPECT_NE(text.find("BASE cpu (2 CPUs"), std::string::npos) << text;
  const nlohmann::json j = comparison_json(c);
  EXPECT_TRUE(j["summary"]["cpu_dedicated_pct"]["base"].is_null());
  EXPECT_FALSE(j["summary"].contains("iops"));  // in neither run
  const std::string csv = comparison_csv(c);
  EXPECT_NE(csv.find("role,cpu,TCP,cycles,12.0,,,\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("role,ppe,TCP,cycles,,12.0,,\n"), std::string::npos) << csv;
}

TEST(Comparable, DifferentWorkloadsOrFrequenciesNameTheKey) {
  const RunResults a = run("a", {cpu(0, "cpu", 1, 10)});
  RunResults b = a;
  b.workload["op"] = "read";
  try {
    check_comparable(a, b);
    FAIL() << "a write compared with a read";
  } catch (const CompareInputError& e) {
    EXPECT_NE(std::string(e.what()).find("scenario.workload.op"), std::string::npos) << e.what();
  }
  b = a;
  b.workload["request_bytes"] = 8192;
  EXPECT_THROW(check_comparable(a, b), CompareInputError);
  b = a;
  b.frequency_ghz = 3.2;
  EXPECT_THROW(check_comparable(a, b), CompareInputError);
  b = a;
  b.cpus[0].frequency_ghz = 3.2;
  try {
    check_comparable(a, b);
    FAIL() << "2.4 GHz compared with 3.2 GHz";
  } catch (const CompareInputError& e) {
    EXPECT_NE(std::string(e.what()).find("frequency_ghz"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("3.2"), std::string::npos) << e.what();
  }
}

TEST(LoadRunResults, BadFilesNameTheFileAndTheKey) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / "iscsim-tests" / "LoadRunResults";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "run");
  const auto expect_error = [](const std::string& path, const std::string& needle) {
    try {
      load_run_results(path);
      ADD_FAILURE() << path << " loaded";
    } catch (const CompareInputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_error((dir / "nope").string(), "nope");
  expect_error((dir / "run").string(), "results.json");
  std::ofstream(dir / "bad.json") << "{not json";
  expect_error((dir / "bad.json").string(), "not valid JSON");
  std::ofstream(dir / "other.json") << R"({"scenario": {"workload": {}, "host": {"cpu": {"frequency_ghz": 2.4}}},
                                       "summary": {"throughput_MBps": 1}})";
  expect_error((dir / "other.json").string(), "other.json: cpus: missing");
  std::ofstream(dir / "run" / "results.json")
      << R"({"scenario": {"workload": {}, "host": {"cpu": {"frequency_ghz": 2.4}}}, "summary": {"throughput_MBps": 1},
             "cpus": [{"id": 0, "role": "cpu", "frequency_ghz": 2.4, "bins": {"idle": {}}}]})";
  expect_error((dir / "run").string(), "cpus[0].bins.idle.cycles: missing");
}

}  // namespace
}  // namespace iscsim::compare
