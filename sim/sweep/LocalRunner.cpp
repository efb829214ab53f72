#include "sim/sweep/LocalRunner.hpp"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace iscsim::sweep {

namespace {

using Clock = std::chrono::steady_clock;

// How long stopped children get to remove their partial outputs (a run needs milliseconds)
// before SIGKILL.
constexpr double kStopGraceSeconds = 10.0;
// The exit status of a child whose exec failed (the shell's "command not found").
constexpr int kExecFailed = 127;
constexpr int kSignalExitBase = 128;

sigset_t runner_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // the terminal went away: stop as for SIGTERM
  sigaddset(&set, SIGCHLD);
  return set;
}

struct Running {
  const ChildJob* job;
  Clock::time_point start;
};

int exit_status_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return kSignalExitBase + WTERMSIG(status);
  return -1;
}

// Forks and execs `job` with its outputs redirected; everything the child needs is prepared
// before fork, so the child only makes async-signal-safe calls.
pid_t spawn(const ChildJob& job, const sigset_t& child_mask) {
  std::vector<char*> argv;
  for (const std::string& a : job.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string* log : {&job.stdout_path, &job.stderr_path})
    std::filesystem::create_directories(std::filesystem::path(*log).parent_path());
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a child process: ") + std::strerror(errno));
  if (pid == 0) {
    ::sigprocmask(SIG_SETMASK, &child_mask, nullptr);
    const int out = ::open(job.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(job.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) ::_exit(kExecFailed);
    ::close(out);
    ::close(err);
    ::execv(argv[0], argv.data());
    ::_exit(kExecFailed);
  }
  return pid;
}

// Waits for a signal in `set` for at most `seconds`; returns it, or 0 on timeout.
int wait_signal(const sigset_t& set, double seconds) {
  timespec timeout{};
  timeout.tv_sec = static_cast<time_t>(seconds);
  timeout.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
  const int sig = ::sigtimedwait(&set, nullptr, &timeout);
  return sig < 0 ? 0 : sig;
}

}  // namespace

LocalRunner::LocalRunner() {
  const sigset_t set = runner_signals();
  ::sigprocmask(SIG_BLOCK, &set, &previous_mask_);
}

LocalRunner::~LocalRunner() {
  // Interrupts that arrived after the run are dropped: the caller is finishing anyway.
  const sigset_t set = runner_signals();
  while (wait_signal(set, 0) != 0) {
  }
  ::sigprocmask(SIG_SETMASK, &previous_mask_, nullptr);
}

int LocalRunner::run(const std::vector<ChildJob>& jobs, int parallel, const RunnerEvents& events) {
  const sigset_t set = runner_signals();
  std::map<pid_t, Running> running;
  std::size_t next = 0;
  int interrupt = 0;
  Clock::time_point stop_deadline;

  const auto reap = [&] {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      const auto it = running.find(pid);
      if (it == running.end()) continue;
      ChildExit done{it->second.job->key, exit_status_of(status), false,
                     std::chrono::duration<double>(Clock::now() - it->second.start).count()};
      // A child that completed before the interrupt reached it counts as finished.
      done.interrupted = interrupt != 0 && done.exit_status != 0;
      running.erase(it);
      events.finished(done);
    }
  };

  while (next < jobs.size() || !running.empty()) {
    while (interrupt == 0 && next < jobs.size() && static_cast<int>(running.size()) < parallel) {
      const ChildJob& job = jobs[next++];
      running[spawn(job, previous_mask_)] = Running{&job, Clock::now()};
      events.started(job);
    }
    const int sig = wait_signal(set, RunnerEvents::kTickSeconds);
    if ((sig == SIGINT || sig == SIGTERM || sig == SIGHUP) && interrupt == 0) {
      interrupt = sig;
      next = jobs.size();
      for (const auto& [pid, r] : running) ::kill(pid, SIGTERM);
      stop_deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kStopGraceSeconds));
    }
    reap();
    if (interrupt != 0 && !running.empty() && Clock::now() > stop_deadline)
      for (const auto& [pid, r] : running) ::kill(pid, SIGKILL);
    if (sig == 0) events.tick();
  }
  return interrupt;
}

}  // namespace iscsim::sweep
