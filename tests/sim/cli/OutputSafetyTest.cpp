// Output safety of the writing commands as a user meets it: a mistaken output path is bad input
// (exit 2) before anything is simulated and leaves nothing; a re-run into the same directory
// leaves exactly the new run's files; an interrupted run leaves nothing (and, not on a terminal,
// printed nothing); what a killed run left is removed by the next one.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/sim/e2e/RunIscsim.hpp"

extern char** environ;

namespace iscsim::testing {
namespace {

// What a run printed, less the notes a sanitizer runtime adds about itself (AddressSanitizer warns
// about stack switches, "==PID==WARNING: ASan ...", with two lines of explanation).
std::string without_sanitizer_notes(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  int skip = 0;
  while (std::getline(in, line)) {
    if (line.rfind("==", 0) == 0 && line.find("ASan") != std::string::npos) {
      skip = 2;
      continue;
    }
    if (skip > 0) {
      --skip;
      continue;
    }
    out += line + "\n";
  }
  return out;
}

namespace fs = std::filesystem;

// A tcp-bulk run short enough for a test.
const std::string kShortRun = " --set run.warmup_s=0.005 --set run.duration_s=0.01";
std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string bulk() { return "run " + scenario_path("tcp-bulk.json"); }

struct Mistake {
  std::string args;
  std::string says;
};

// Each mistake exits 2 naming the path, prints no result (nothing was simulated), and leaves
// `base` as it was.
void expect_refused(const std::vector<Mistake>& mistakes, const fs::path& base, const fs::path& scratch) {
  const std::set<std::string> before = names_in(base);
  for (const Mistake& m : mistakes) {
    const Invocation r = run_iscsim(m.args, scratch);
    EXPECT_EQ(r.exit_code, 2) << m.args << "\n" << r.stderr_text;
    EXPECT_NE(r.stderr_text.find(m.says), std::string::npos) << m.args << "\n" << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "") << m.args;
    EXPECT_EQ(names_in(base), before) << m.args;
  }
}

TEST(OutputSafety, RunPathMistakesExit2BeforeSimulatingAndLeaveNothing) {
  const fs::path dir = scratch_dir("run");
  const fs::path base = dir / "base";
  fs::create_directories(base / "home");
  std::ofstream(base / "home" / "notes.txt") << "mine";
  std::ofstream(base / "a-file") << "x";
  const std::string file = (base / "a-file").string();
  const std::string home = (base / "home").string();
  const std::string fresh = (base / "fresh").string();
  expect_refused({{bulk() + " -o " + file, "-o " + file + ": exists and is not a directory"},
                  {bulk() + " -o " + file + "/out", file + " is not a directory"},
                  {bulk() + " -o " + home, "-o " + home + ": exists and is not an iscsim output directory"},
                  {bulk() + " -o " + fresh + " --pcap " + home, "--pcap " + home + ": is a directory"},
                  {bulk() + " -o " + fresh + " --pcap " + file + "/x.pcap", file + " is not a directory"},
                  {bulk() + " -o " + fresh + " --pcap " + fresh, "the same path as -o"},
                  {bulk() + " -o " + fresh + " --set host.cpu.model=nonexistent",
                   "host.cpu.model: 'nonexistent' is no parameter set under models/params/cpu/; allowed: netburst-xeon"},
                  {bulk() + " -o " + fresh + " --set host.profiler=oprofile",
                   "host.profiler: 'oprofile' is no parameter set under models/params/profiler/; allowed: none, oprofile-0.6-p4, oprofile-0.7-p4"},
                  {bulk() + " -o " + fresh + " --set nics.model=" + file + ".json", "nics.model: no parameter file " + file + ".json"}},
                 base, dir);
  EXPECT_EQ(names_in(base / "home"), std::set<std::string>{"notes.txt"});
}

TEST(OutputSafety, AnUnwritableOutputParentIsBadInput) {
  const fs::path dir = scratch_dir("unwritable");
  const fs::path locked = dir / "locked";
  fs::create_directories(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  // root may write where permissions forbid; /proc/sys refuses even root.
  fs::path parent = locked;
  if (::access(parent.c_str(), W_OK) == 0) parent = "/proc/sys";
  if (::access(parent.c_str(), W_OK) == 0) GTEST_SKIP() << "no directory here refuses writes";
  const Invocation r = run_iscsim(bulk() + kShortRun + " -o " + (parent / "out").string(), dir);
  fs::permissions(locked, fs::perms::owner_all);
  EXPECT_EQ(r.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("cannot write in " + parent.string()), std::string::npos) << r.stderr_text;
  EXPECT_TRUE(fs::is_empty(locked));
}

TEST(OutputSafety, CalibrateOutMistakesExit2BeforeAnyRun) {
  const fs::path dir = scratch_dir("calibrate");
  const fs::path base = dir / "base";
  fs::create_directories(base / "a-dir");
  std::ofstream(base / "a-file") << "x";
  const std::string a_dir = (base / "a-dir").string();
  const std::string file = (base / "a-file").string();
  expect_refused({{"calibrate --out " + a_dir, "--out " + a_dir + ": is a directory"},
                  {"calibrate --out " + file + "/catalog.json", file + " is not a directory"},
                  {"calibrate --seeds 0 --out " + (base / "c.json").string(), "--seeds must lie in [1, 64], got 0"},
                  {"calibrate --seed-sets 0 --out " + (base / "c.json").string(), "--seed-sets must lie in [1, 16], got 0"},
                  {"calibrate --prior-weight -1 --out " + (base / "c.json").string(), "--prior-weight must lie in (0, 100], got -1"},
                  {"calibrate --set run.sed=2 --out " + (base / "c.json").string(), "run.sed: unknown key"},
                  {"calibrate --set host.cpu.model=x --out " + (base / "c.json").string(), "'x' is no parameter set"}},
                 base, dir);
}

TEST(OutputSafety, CompareOutMistakesExit2AndLeaveNothing) {
  const fs::path dir = scratch_dir("compare");
  for (const char* run : {"a", "b"}) {
    const Invocation r = run_iscsim("run " + scenario_path("ideal-read-8k.json") + kShortRun + " -o " +
                                        (dir / run).string(),
                                    dir);
    ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  }
  const fs::path base = dir / "base";
  fs::create_directories(base / "home");
  std::ofstream(base / "home" / "notes.txt") << "mine";
  std::ofstream(base / "a-file") << "x";
  const std::string compare = "compare " + (dir / "a").string() + " " + (dir / "b").string();
  const std::string file = (base / "a-file").string();
  const std::string home = (base / "home").string();
  expect_refused({{compare + " -o " + file, "-o " + file + ": exists and is not a directory"},
                  {compare + " -o " + home, "-o " + home + ": exists and is not an iscsim output directory"}},
                 base, dir);
}

TEST(OutputSafety, ReRunLeavesExactlyTheNewRunsFiles) {
  const fs::path dir = scratch_dir("rerun");
  const fs::path out = dir / "out";
  const Invocation first =
      run_iscsim(bulk() + kShortRun + " -o " + out.string() + " --pcap " + (out / "wire.pcap").string(), dir);
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  EXPECT_EQ(names_in(out), (std::set<std::string>{".iscsim-output", "bins.csv", "results.json", "wire.pcap"}));
  const Invocation second = run_iscsim(bulk() + kShortRun + " -o " + out.string(), dir);
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_EQ(names_in(out), (std::set<std::string>{".iscsim-output", "bins.csv", "results.json"}));
}

TEST(OutputSafety, AStalePartialSiblingOfAKilledRunIsRemoved) {
  const fs::path dir = scratch_dir("stale");
  const pid_t gone = ::fork();
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  const fs::path stale = dir / (".out.partial-" + std::to_string(gone));
  fs::create_directories(stale);
  std::ofstream(stale / "results.json") << "{";
  const Invocation r = run_iscsim(bulk() + kShortRun + " -o " + (dir / "out").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  EXPECT_FALSE(fs::exists(stale));
}

TEST(OutputSafety, NameSetsTheDefaultDirectoryAndIsRecordedWithTheOverrides) {
  const fs::path dir = scratch_dir("name");
  fs::create_directories(dir);
  // The default output directory is relative to where iscsim runs.
  const std::string cmd = "cd '" + dir.string() + "' && " + ISCSIM_BINARY + " " + bulk() + kShortRun +
                          " --name lossy --set link.loss_rate=0.001 >/dev/null";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << cmd;
  const auto results = read_json(dir / "out" / "lossy" / "results.json");
  EXPECT_EQ(results["run"]["name"], "lossy");
  EXPECT_EQ(results["run"]["overrides"],
            nlohmann::json::array({"run.warmup_s=0.005", "run.duration_s=0.01", "link.loss_rate=0.001"}));
  const Invocation bad = run_iscsim(bulk() + " --name ../x", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_text.find("--name"), std::string::npos) << bad.stderr_text;
}

// Starts `iscsim run` with SIGINT and SIGTERM at their defaults, as from a terminal.
pid_t start_run(const std::vector<std::string>& words, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> argv{ISCSIM_BINARY};
  argv.insert(argv.end(), words.begin(), words.end());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  EXPECT_EQ(::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return pid;
}

TEST(OutputSafety, AnInterruptedRunLeavesNothing) {
  for (const int signal : {SIGINT, SIGTERM}) {
    const fs::path dir = scratch_dir("interrupted-" + std::to_string(signal));
    const fs::path base = dir / "base";
    fs::create_directories(base);
    const pid_t pid = start_run({"run", scenario_path("tcp-bulk.json"), "--set", "run.duration_s=600", "-o",
                                 (base / "made" / "out").string(), "--pcap", (base / "wire.pcap").string()},
                                dir / "log.txt");
    // Once the capture's partial sibling exists, the run is under way.
    const fs::path sibling = base / (".wire.pcap.partial-" + std::to_string(pid));
    for (int i = 0; i < 500 && !fs::exists(sibling / "wire.pcap"); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(fs::exists(sibling / "wire.pcap")) << read_text(dir / "log.txt");
    // Past the progress line's 2 s of silence: not on a terminal, the run still prints nothing.
    if (signal == SIGTERM) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status)) << "signal " << signal;
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal) << read_text(dir / "log.txt");
    EXPECT_TRUE(fs::is_empty(base)) << *names_in(base).begin();
    EXPECT_EQ(without_sanitizer_notes(read_text(dir / "log.txt")), "");
  }
}

}  // namespace
}  // namespace iscsim::testing
