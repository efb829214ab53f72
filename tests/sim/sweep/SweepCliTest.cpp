// `iscsim sweep` end to end: the tables of a local sweep, bad files and directories refused with
// nothing written, a failed point recorded, an interrupted sweep resumed without re-running.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../e2e/CsvTable.hpp"
#include "../e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

namespace fs = std::filesystem;

// Tiny windows: a point takes a fraction of a second.
const std::string kQuick = R"("set": {"run.warmup_s": 0.01, "run.duration_s": 0.02, "workload.readback": false})";

fs::path write_spec(const fs::path& dir, const std::string& body) {
  fs::create_directories(dir);
  const fs::path file = dir / "spec.json";
  std::ofstream(file) << R"({"scenario": ")" << scenario_path("paper/smp-write-64k.json") << R"(", )" << body << "}";
  return file;
}

std::string column(const CsvTable& t, std::size_t row, const std::string& name) { return t.rows.at(row).at(name); }

TEST(Sweep, LocalSweepWritesItsTables) {
  const auto dir = scratch_dir("local");
  const auto spec = write_spec(dir, kQuick + R"(, "grid": {"host.cpu.frequency_ghz": [2.0], "run.seed": [1, 2]})");
  const Invocation r = run_iscsim("sweep " + spec.string() + " -j 2 -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  // Not a terminal: one line per point.
  EXPECT_NE(r.stderr_text.find("[1/2] ok"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("[2/2] ok"), std::string::npos) << r.stderr_text;

  const CsvTable sweep = read_csv(dir / "out/sweep.csv");
  ASSERT_EQ(sweep.rows.size(), 2u);
  EXPECT_EQ(sweep.header.front(), "point");
  EXPECT_EQ(sweep.header[1], "host.cpu.frequency_ghz");
  EXPECT_EQ(sweep.header[2], "run.seed");
  EXPECT_EQ(sweep.header.back(), "run_info.host");
  std::size_t bin_rows = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(column(sweep, i, "status"), "ok");
    const auto results = read_json(dir / "out/points" / column(sweep, i, "point") / "results.json");
    EXPECT_EQ(std::stod(column(sweep, i, "throughput_MBps")), results["summary"]["throughput_MBps"].get<double>());
    EXPECT_EQ(std::stod(column(sweep, i, "ghz_per_gbps")), results["summary"]["ghz_per_gbps"].get<double>());
    EXPECT_EQ(results["scenario"]["run"]["seed"].get<int>(), std::stoi(column(sweep, i, "run.seed")));
    bin_rows += read_csv(dir / "out/points" / column(sweep, i, "point") / "bins.csv").rows.size();
  }
  const CsvTable bins = read_csv(dir / "out/sweep-bins.csv");
  EXPECT_EQ(bins.header, (std::vector<std::string>{"point", "cpu", "role", "bin", "counter", "value"}));
  EXPECT_EQ(bins.rows.size(), bin_rows);
  EXPECT_GT(bin_rows, 0u);

  // The two seeds are repetitions of one configuration.
  const CsvTable summary = read_csv(dir / "out/sweep-summary.csv");
  ASSERT_EQ(summary.rows.size(), 1u);
  EXPECT_EQ(column(summary, 0, "repetitions"), "2");
  EXPECT_EQ(column(summary, 0, "ok"), "2");
  const double lo = std::stod(column(summary, 0, "throughput_MBps_min"));
  const double hi = std::stod(column(summary, 0, "throughput_MBps_max"));
  const double mean = std::stod(column(summary, 0, "throughput_MBps_mean"));
  EXPECT_LE(lo, mean);
  EXPECT_LE(mean, hi);
  EXPECT_DOUBLE_EQ(mean, (std::stod(column(sweep, 0, "throughput_MBps")) + std::stod(column(sweep, 1, "throughput_MBps"))) / 2);
  EXPECT_EQ(std::count(summary.header.begin(), summary.header.end(), "run.seed"), 0);
  EXPECT_TRUE(read_csv(dir / "out/failures.csv").rows.empty());
}

TEST(Sweep, BadSweepFilesExit2NamingTheKeyAndWriteNothing) {
  const auto dir = scratch_dir("bad");
  const std::vector<std::pair<std::string, std::string>> cases{
      {R"("grid": {"host.cpu.frequncy_ghz": [2.0]})", "grid.host.cpu.frequncy_ghz"},
      {R"("grid": {"host.cpu.frequency_ghz": [2.0, -1]})", "grid.host.cpu.frequency_ghz"},
      {R"("grid": {"workload.op": ["read", "erase"]})", "grid.workload.op"},
      {R"("grid": {"host.cores": [2]}, "constraints": ["host.cores <"])", "constraints[0]"},
      {R"("gird": {"host.cores": [2]})", "gird"},
  };
  for (const auto& [body, key] : cases) {
    const auto spec = write_spec(dir, body);
    const Invocation r = run_iscsim("sweep " + spec.string() + " -o " + (dir / "out").string(), dir);
    EXPECT_EQ(r.exit_code, 2) << body;
    EXPECT_NE(r.stderr_text.find(key), std::string::npos) << body << "\n" << r.stderr_text;
    EXPECT_FALSE(fs::exists(dir / "out")) << body;
  }
  const Invocation shard = run_iscsim("sweep " + write_spec(dir, kQuick).string() + " --shard 2/2 -o " + (dir / "out").string(), dir);
  EXPECT_EQ(shard.exit_code, 2);
  EXPECT_NE(shard.stderr_text.find("--shard"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(Sweep, RefusesADirectoryThatIsNotThisSweeps) {
  const auto dir = scratch_dir("dirs");
  fs::create_directories(dir / "mine");
  std::ofstream(dir / "mine/notes.txt") << "keep me";
  const auto spec = write_spec(dir, kQuick + R"(, "grid": {"run.seed": [1]})");
  Invocation r = run_iscsim("sweep " + spec.string() + " -o " + (dir / "mine").string(), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("not a sweep directory"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(fs::directory_iterator(dir / "mine")->path().filename(), "notes.txt");

  ASSERT_EQ(run_iscsim("sweep " + spec.string() + " -o " + (dir / "out").string(), dir).exit_code, 0);
  const auto other = write_spec(dir / "other", kQuick + R"(, "grid": {"run.seed": [1, 2]})");
  r = run_iscsim("sweep " + other.string() + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("different sweep"), std::string::npos) << r.stderr_text;
}

TEST(Sweep, AFailedPointIsRecordedAndTheSweepGoesOn) {
  const auto dir = scratch_dir("fail");
  // A CPU parameter set that does not exist passes the sweep's validation of keys; the point's
  // run refuses it as bad input (2).
  const auto spec = write_spec(dir, kQuick + R"(, "grid": {"host.cpu.model": ["netburst-xeon", "no-such-cpu"]})");
  const Invocation r = run_iscsim("sweep " + spec.string() + " -j 2 -o " + (dir / "out").string(), dir);
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  const CsvTable sweep = read_csv(dir / "out/sweep.csv");
  ASSERT_EQ(sweep.rows.size(), 2u);
  EXPECT_EQ(column(sweep, 0, "status"), "ok");
  EXPECT_EQ(column(sweep, 1, "status"), "failed");
  EXPECT_EQ(column(sweep, 1, "exit_status"), "2");
  EXPECT_NE(column(sweep, 1, "error").find("no-such-cpu"), std::string::npos);
  EXPECT_TRUE(column(sweep, 1, "throughput_MBps").empty());
  const CsvTable failures = read_csv(dir / "out/failures.csv");
  ASSERT_EQ(failures.rows.size(), 1u);
  EXPECT_EQ(column(failures, 0, "point"), column(sweep, 1, "point"));
  EXPECT_EQ(column(failures, 0, "error"), column(sweep, 1, "error"));
  EXPECT_FALSE(fs::exists(dir / "out/points" / column(sweep, 1, "point")));
}

// A failing run removes the empty directories it created; were `points/` one of them, it would
// vanish from under a sibling run staging there (a race seen in CI).
TEST(Sweep, ThePointsDirectoryIsTheSweepsSoAFailedRunLeavesIt) {
  const auto dir = scratch_dir("points-dir");
  const auto spec = write_spec(dir, kQuick + R"(, "grid": {"host.cpu.model": ["no-such-cpu"]})");
  EXPECT_EQ(run_iscsim("sweep " + spec.string() + " -o " + (dir / "out").string(), dir).exit_code, 1);
  EXPECT_TRUE(fs::is_directory(dir / "out/points"));
  EXPECT_TRUE(fs::is_empty(dir / "out/points"));
}

// Starts the binary with its output in files; returns the child's pid.
pid_t spawn_iscsim(const std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
  std::vector<std::string> words{ISCSIM_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, STDOUT_FILENO);
    ::dup2(e, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

TEST(Sweep, InterruptedThenResumedWithoutRerunningFinishedPoints) {
  const auto dir = scratch_dir("resume");
  fs::create_directories(dir);
  // Long enough windows that the sweep is still running its second point when interrupted.
  const auto spec = write_spec(dir, R"("set": {"run.warmup_s": 0.01, "run.duration_s": 0.5, "workload.readback": false},
      "grid": {"run.seed": [1, 2, 3]})");
  const fs::path out = dir / "out";
  const pid_t pid = spawn_iscsim({"sweep", spec.string(), "-j", "1", "-o", out.string()}, dir / "stdout1", dir / "stderr1");
  // The sweep's own word that a point finished: its progress line (not a terminal: one per point).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string marker = "[1/3] ok     ";
  std::string progress;
  while ((progress = read_text(dir / "stderr1")).find("[1/3] ") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::size_t at = progress.find(marker);
  if (at == std::string::npos) ::kill(pid, SIGTERM);
  ASSERT_NE(at, std::string::npos) << "the first point did not finish well within a minute:\n" << progress;
  const fs::path finished = out / "points" / progress.substr(at + marker.size(), progress.find(' ', at + marker.size()) - at - marker.size());
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_text(dir / "stderr1");

  // What finished is in the table; nothing partial is left.
  const CsvTable before = read_csv(out / "sweep.csv");
  ASSERT_EQ(before.rows.size(), 3u);
  std::size_t ok = 0;
  for (const auto& row : before.rows) ok += row.at("status") == "ok";
  EXPECT_GE(ok, 1u);
  EXPECT_LT(ok, 3u);
  for (const auto& e : fs::directory_iterator(out / "points")) {
    EXPECT_NE(e.path().filename().string().front(), '.') << "staging left behind: " << e.path();
    EXPECT_TRUE(fs::exists(e.path() / "results.json")) << "partial point left behind: " << e.path();
  }
  const std::string kept = read_text(finished / "results.json");
  ASSERT_FALSE(kept.empty()) << finished;

  const Invocation resumed = run_iscsim("sweep " + spec.string() + " -j 1 -o " + out.string(), dir);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.stderr_text;
  EXPECT_NE(resumed.stderr_text.find(std::to_string(ok) + " of 3 points already done"), std::string::npos) << resumed.stderr_text;
  EXPECT_EQ(read_text(finished / "results.json"), kept);  // not re-run: the same wall time and all
  for (const auto& row : read_csv(out / "sweep.csv").rows) EXPECT_EQ(row.at("status"), "ok");
}

TEST(Sweep, SlurmDryRunWritesTheScriptsOnly) {
  const auto dir = scratch_dir("slurm-dry");
  const auto spec = write_spec(dir, kQuick + R"(, "grid": {"run.seed": [1, 2, 3]})");
  const fs::path out = dir / "out";
  const Invocation r = run_iscsim("sweep " + spec.string() + " --slurm-dry-run --partition debug --time 0:10:00 "
                                  "--array-throttle 2 -o " + out.string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  const std::string array = read_text(out / "slurm/sweep.sbatch");
  EXPECT_NE(array.find("#SBATCH --array=0-2%2\n"), std::string::npos) << array;
  EXPECT_NE(array.find("#SBATCH --partition=debug\n"), std::string::npos);
  EXPECT_NE(array.find("#SBATCH --time=0:10:00\n"), std::string::npos);
  EXPECT_NE(array.find("--shard \"$SLURM_ARRAY_TASK_ID/3\""), std::string::npos);
  EXPECT_NE(read_text(out / "slurm/gather.sbatch").find("--gather"), std::string::npos);
  EXPECT_NE(read_text(out / "slurm/submit.sh").find("--dependency=afterany:"), std::string::npos);
  EXPECT_FALSE(fs::exists(out / "points"));
  EXPECT_FALSE(fs::exists(out / "sweep.csv"));

  const Invocation bad = run_iscsim("sweep " + spec.string() + " --slurm-dry-run --time soon -o " + (dir / "o2").string(), dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_text.find("--time soon"), std::string::npos) << bad.stderr_text;
  EXPECT_FALSE(fs::exists(dir / "o2"));
}

}  // namespace
}  // namespace iscsim::testing
