// An interrupt that comes while a library starts and puts its own handler in place (SimGrid's
// engine does) waits, held, and reaches ours once armed again: the partial output goes, the
// exit status is 128 + the signal, and the library's handler never runs.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "sim/results/InterruptCleanup.hpp"

namespace iscsim::results {
namespace {

namespace fs = std::filesystem;

constexpr int kLibraryExit = 1;  // what SimGrid's SIGINT handler exits with

extern "C" void library_handler(int) { ::_exit(kLibraryExit); }

fs::path cleanup_scratch(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const fs::path dir = fs::path(tmp != nullptr ? tmp : "/tmp") / ("interrupt-cleanup-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(InterruptCleanup, AnInterruptHeldAcrossALibrarysStartReachesOurHandler) {
  const fs::path partial = cleanup_scratch("held") / "partial";
  fs::create_directories(partial);
  std::ofstream(partial / "results.json") << "{";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    register_cleanup_path(partial.string(), Removal::Tree);
    arm_interrupt_cleanup();
    hold_interrupts();
    ::raise(SIGINT);                       // arrives while the library starts: held
    std::signal(SIGINT, library_handler);  // the library's own handler
    arm_interrupt_cleanup();               // ours again
    release_interrupts();                  // the held signal is delivered to ours now
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_FALSE(fs::exists(partial));
}

}  // namespace
}  // namespace iscsim::results
