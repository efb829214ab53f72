#pragma once
// Runs commands as child processes, at most N at a time, and stops them all on SIGINT, SIGTERM
// or SIGHUP. While a runner exists those signals (and SIGCHLD) are blocked and taken
// synchronously, so the caller still writes what finished before it exits.
#include <functional>
#include <string>
#include <vector>

#include <signal.h>

namespace iscsim::sweep {

struct ChildJob {
  std::string key;                // the caller's name for the job
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::string stdout_path, stderr_path;
};

struct ChildExit {
  std::string key;
  int exit_status = 0;       // the exit code, or 128 + the signal that killed it
  bool interrupted = false;  // stopped by the runner because of an interrupt
  double wall_s = 0;
};

struct RunnerEvents {
  std::function<void(const ChildJob&)> started = [](const ChildJob&) {};
  std::function<void(const ChildExit&)> finished = [](const ChildExit&) {};
  std::function<void()> tick = [] {};  // every RunnerEvents::kTickSeconds while children run
  static constexpr double kTickSeconds = 0.5;
};

class LocalRunner {
 public:
  LocalRunner();
  ~LocalRunner();
  LocalRunner(const LocalRunner&) = delete;
  LocalRunner& operator=(const LocalRunner&) = delete;

  // Runs `jobs` in order on up to `parallel` children. Returns 0 when all ran, or the signal
  // (SIGINT, SIGTERM, SIGHUP) that stopped the run: then no further job starts, running children get
  // SIGTERM (SIGKILL if they outlive a grace period) and are reported with `interrupted`.
  int run(const std::vector<ChildJob>& jobs, int parallel, const RunnerEvents& events);

 private:
  sigset_t previous_mask_;
};

}  // namespace iscsim::sweep
