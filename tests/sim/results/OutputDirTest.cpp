// The output discipline of every writing command: paths checked before any work, outputs staged
// in hidden siblings and moved into place together, nothing left behind otherwise.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include "sim/results/OutputDir.hpp"

namespace iscsim::results {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(::testing::TempDir()) / "iscsim-outputdir" / (std::string(info->name()) + "." + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::set<std::string> names_in(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void touch(const fs::path& p, const std::string& text = "x") { std::ofstream(p) << text; }

// The message of the OutputPathError `body` throws, or "" when it throws none.
template <class Body>
std::string path_error(Body body) {
  try {
    body();
  } catch (const OutputPathError& e) {
    return e.what();
  }
  return "";
}

TEST(OutputDir, CommitMovesEveryOutputIntoPlaceAndLeavesNoSibling) {
  const fs::path base = scratch("base");
  const std::string out = (base / "deep" / "out").string();
  const std::string pcap = (base / "wire.pcap").string();
  OutputPlan plan;
  plan.add_directory("-o", out);
  plan.add_file("--pcap", pcap);
  StagedOutput staged(plan);
  staged.write(out + "/results.json", "{}\n");
  touch(staged.path(pcap), "frames");
  EXPECT_FALSE(fs::exists(out));
  EXPECT_FALSE(fs::exists(pcap));
  staged.commit();
  EXPECT_EQ(names_in(out), (std::set<std::string>{kOutputMarker, "results.json"}));
  EXPECT_EQ(read(pcap), "frames");
  EXPECT_EQ(names_in(base), (std::set<std::string>{"deep", "wire.pcap"}));
}

TEST(OutputDir, ReRunLeavesExactlyTheNewFiles) {
  const fs::path base = scratch("base");
  const std::string out = (base / "out").string();
  for (const char* name : {"table1.txt", "results.json"}) {
    OutputPlan plan;
    plan.add_directory("-o", out);
    StagedOutput staged(plan);
    staged.write(out + "/" + name, name);
    staged.commit();
  }
  EXPECT_EQ(names_in(out), (std::set<std::string>{kOutputMarker, "results.json"}));
  EXPECT_EQ(names_in(base), std::set<std::string>{"out"});
}

TEST(OutputDir, AnEmptyDirectoryIsReplacedAForeignOneRefused) {
  const fs::path base = scratch("base");
  fs::create_directories(base / "empty");
  OutputPlan ok;
  ok.add_directory("-o", (base / "empty").string());
  StagedOutput staged(ok);
  staged.commit();
  EXPECT_TRUE(fs::exists(base / "empty" / kOutputMarker));

  fs::create_directories(base / "home");
  touch(base / "home" / ".bashrc");
  OutputPlan foreign;
  foreign.add_directory("-o", (base / "home").string());
  const std::string why = path_error([&] { StagedOutput s(foreign); });
  EXPECT_NE(why.find("-o " + (base / "home").string()), std::string::npos) << why;
  EXPECT_NE(why.find("not an iscsim output directory"), std::string::npos) << why;
  EXPECT_EQ(names_in(base / "home"), std::set<std::string>{".bashrc"});
  EXPECT_EQ(names_in(base), (std::set<std::string>{"empty", "home"}));
}

TEST(OutputDir, PathMistakesAreNamedAndWriteNothing) {
  const fs::path base = scratch("base");
  touch(base / "a-file");
  fs::create_directories(base / "a-dir");
  const auto file = (base / "a-file").string();
  const auto dir = (base / "a-dir").string();
  const struct {
    bool directory;
    std::string path;
    const char* says;
  } cases[] = {
      {true, file, "exists and is not a directory"},
      {false, dir, "is a directory"},
      {true, file + "/out", "is not a directory"},
      {false, file + "/x/wire.pcap", "is not a directory"},
      {false, "/dev/null", "not a regular file"},
      {true, "/", "root directory"},
      {true, "", "empty path"},
  };
  for (const auto& c : cases) {
    OutputPlan plan;
    if (c.directory)
      plan.add_directory("--opt", c.path);
    else
      plan.add_file("--opt", c.path);
    const std::string why = path_error([&] { StagedOutput s(plan); });
    EXPECT_NE(why.find(c.says), std::string::npos) << c.path << ": " << why;
    EXPECT_EQ(why.rfind("--opt", 0), 0u) << why;
  }
  EXPECT_EQ(names_in(base), (std::set<std::string>{"a-dir", "a-file"}));
  EXPECT_TRUE(fs::is_empty(base / "a-dir"));
}

TEST(OutputDir, AnUnwritableParentIsNamed) {
  const fs::path base = scratch("base");
  fs::create_directories(base / "locked");
  fs::permissions(base / "locked", fs::perms::owner_read | fs::perms::owner_exec);
  // root writes anywhere permissions forbid; /proc/sys refuses even root.
  fs::path parent = base / "locked";
  if (::access(parent.c_str(), W_OK) == 0) parent = "/proc/sys";
  if (::access(parent.c_str(), W_OK) == 0) GTEST_SKIP() << "no directory here refuses writes";
  OutputPlan plan;
  plan.add_directory("-o", (parent / "new" / "out").string());
  const std::string why = path_error([&] { StagedOutput s(plan); });
  EXPECT_NE(why.find("cannot write in " + parent.string()), std::string::npos) << why;
  fs::permissions(base / "locked", fs::perms::owner_all);
  EXPECT_TRUE(fs::is_empty(base / "locked"));
}

TEST(OutputDir, OverlappingOutputsAreRefused) {
  const fs::path base = scratch("base");
  OutputPlan same;
  same.add_file("--pcap", (base / "x").string());
  same.add_file("--trace", (base / "x").string());
  EXPECT_NE(path_error([&] { StagedOutput s(same); }).find("the same path as --pcap"), std::string::npos);
  OutputPlan nested;
  nested.add_directory("-o", (base / "out").string());
  nested.add_directory("--other", (base / "out" / "inner").string());
  EXPECT_NE(path_error([&] { StagedOutput s(nested); }).find("inside the output directory -o"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(base));
}

TEST(OutputDir, AnOutputDirectoryHoldingTheWorkingDirectoryIsRefused) {
  const fs::path base = scratch("base");
  const fs::path before = fs::current_path();
  fs::current_path(base);
  OutputPlan plan;
  plan.add_directory("-o", ".");
  const std::string why = path_error([&] { StagedOutput s(plan); });
  fs::current_path(before);
  EXPECT_NE(why.find("holds the current directory"), std::string::npos) << why;
}

TEST(OutputDir, AFileInsideTheOutputDirectoryMovesWithIt) {
  const fs::path base = scratch("base");
  const std::string out = (base / "out").string();
  const std::string pcap = out + "/capture/wire.pcap";
  OutputPlan plan;
  plan.add_directory("-o", out);
  plan.add_file("--pcap", pcap);
  StagedOutput staged(plan);
  touch(staged.path(pcap), "frames");
  staged.write(out + "/results.json", "{}");
  staged.commit();
  EXPECT_EQ(read(pcap), "frames");
  EXPECT_EQ(names_in(base), std::set<std::string>{"out"});
}

TEST(OutputDir, UncommittedOutputLeavesNothingNotEvenCreatedParents) {
  const fs::path base = scratch("base");
  {
    OutputPlan plan;
    plan.add_directory("-o", (base / "a" / "b" / "out").string());
    plan.add_file("--pcap", (base / "p" / "wire.pcap").string());
    StagedOutput staged(plan);
    staged.write((base / "a" / "b" / "out" / "results.json").string(), "{}");
    fs::create_directories(staged.scratch_dir());
  }
  EXPECT_TRUE(fs::is_empty(base));
}

TEST(OutputDir, AFileNeverWrittenFailsTheCommit) {
  const fs::path base = scratch("base");
  OutputPlan plan;
  plan.add_file("--pcap", (base / "wire.pcap").string());
  StagedOutput staged(plan);
  EXPECT_THROW(staged.commit(), std::logic_error);
}

TEST(OutputDir, StaleSiblingsOfDeadProcessesAreRemovedLiveOnesKept) {
  const fs::path base = scratch("base");
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const std::string stale = ".out.partial-" + std::to_string(dead);
  const std::string live = ".out.partial-" + std::to_string(::getppid());
  fs::create_directories(base / stale / "sub");
  touch(base / stale / "sub" / "results.json");
  fs::create_directories(base / (stale + ".old"));
  fs::create_directories(base / live);
  fs::create_directories(base / ".other.partial-1x");
  OutputPlan plan;
  plan.add_directory("-o", (base / "out").string());
  StagedOutput staged(plan);
  staged.commit();
  EXPECT_EQ(names_in(base), (std::set<std::string>{"out", live, ".other.partial-1x"}));
}

TEST(OutputDir, SigtermRemovesTheStagingAndExits143) {
  const fs::path base = scratch("base");
  for (const int signal : {SIGTERM, SIGINT}) {
    const pid_t child = ::fork();
    if (child == 0) {
      OutputPlan plan;
      plan.add_directory("-o", (base / "made" / "out").string());
      plan.add_file("--pcap", (base / "wire.pcap").string());
      StagedOutput staged(plan);
      staged.write((base / "made" / "out" / "sub" / "results.json").string(), "{}");
      touch(staged.path((base / "wire.pcap").string()));
      ::raise(signal);
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + signal);
    EXPECT_TRUE(fs::is_empty(base)) << *names_in(base).begin();
  }
}

}  // namespace
}  // namespace iscsim::results
