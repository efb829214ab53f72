// `iscsim sweep --slurm` through a real one-node Slurm: the job array and the gather job give the
// same tables as a local run of the same sweep, outside the run_info columns.
#include <gtest/gtest.h>

#include <regex>

#include "../e2e/CsvTable.hpp"
#include "../e2e/RunIscsim.hpp"
#include "OneNodeSlurm.hpp"

namespace iscsim::testing {
namespace {

namespace fs = std::filesystem;

// sweep.csv without the columns that may differ between two runs of one point.
CsvTable without_run_info(CsvTable t) {
  for (auto& row : t.rows)
    for (auto it = row.begin(); it != row.end();) it = it->first.rfind("run_info.", 0) == 0 ? row.erase(it) : std::next(it);
  t.header.erase(std::remove_if(t.header.begin(), t.header.end(), [](const std::string& h) { return h.rfind("run_info.", 0) == 0; }),
                 t.header.end());
  return t;
}

TEST(SweepSlurm, ArrayAndGatherGiveTheTablesOfALocalRun) {
  const auto dir = scratch_dir("slurm");
  OneNodeSlurm slurm;
  if (!slurm.up()) GTEST_SKIP() << "Slurm cannot start here: " << slurm.why_not();

  fs::create_directories(dir);
  const fs::path spec = dir / "spec.json";
  std::ofstream(spec) << R"({"scenario": ")" << scenario_path("paper/smp-write-64k.json")
                      << R"(", "set": {"run.warmup_s": 0.01, "run.duration_s": 0.02, "workload.readback": false},
                            "grid": {"host.cpu.frequency_ghz": [2.0, 3.2], "run.seed": [1, 2]}})";
  const Invocation submit = run_iscsim("sweep " + spec.string() + " --slurm --array-throttle 2 -o " + (dir / "slurm-out").string(), dir);
  ASSERT_EQ(submit.exit_code, 0) << submit.stdout_text << submit.stderr_text;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(submit.stdout_text, m, std::regex(R"(gather job (\d+))"))) << submit.stdout_text;
  const std::string gather = m[1];

  // Follow the gather job until it leaves the queue (with accounting off, scontrol keeps its
  // final state for MinJobAge).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(45);
  while (!shell("squeue -h -j " + gather + " 2>/dev/null").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const std::string state = shell("scontrol show job " + gather);
  ASSERT_NE(state.find("JobState=COMPLETED"), std::string::npos)
      << state << shell("cat " + (dir / "slurm-out/slurm").string() + "/*.out");

  const Invocation local = run_iscsim("sweep " + spec.string() + " -j 2 -o " + (dir / "local-out").string(), dir);
  ASSERT_EQ(local.exit_code, 0) << local.stderr_text;

  const CsvTable from_slurm = without_run_info(read_csv(dir / "slurm-out/sweep.csv"));
  const CsvTable from_local = without_run_info(read_csv(dir / "local-out/sweep.csv"));
  ASSERT_EQ(from_slurm.rows.size(), 4u);
  EXPECT_EQ(from_slurm.header, from_local.header);
  EXPECT_EQ(from_slurm.rows, from_local.rows);
  for (const auto& row : from_slurm.rows) EXPECT_EQ(row.at("status"), "ok");
  for (const char* table : {"sweep-bins.csv", "sweep-summary.csv", "failures.csv"})
    EXPECT_EQ(read_text(dir / "slurm-out" / table), read_text(dir / "local-out" / table)) << table;
}

}  // namespace
}  // namespace iscsim::testing
