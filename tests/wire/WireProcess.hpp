#pragma once
// Test support for wire mode: `iscsim serve` and Debian's tgtd as child processes on loopback,
// shell commands with a time limit, and the checks that let interop tests skip cleanly when a
// tool is missing.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

namespace iscsim::wire::testing {

// The parts of a test's scratch space.
std::string scratch_dir();
bool have_program(const std::string& name);
// A port on 127.0.0.1 that nothing listens on right now.
std::uint16_t free_port();

struct Shell {
  int exit_code = -1;  // -1: killed by a signal or by the time limit
  std::string output;  // stdout and stderr together
};
// Runs `command` with /bin/sh, killed after `limit`.
Shell run_shell(const std::string& command, std::chrono::seconds limit);

// A child process, killed when dropped if it is still running.
class Child {
 public:
  // argv[0] is the program's path; its stdout (a pipe, see read_line) and stderr (`log`).
  Child(const std::vector<std::string>& argv, const std::string& log);
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  // One line of the child's stdout, or "" after `limit`.
  std::string read_line(std::chrono::milliseconds limit);
  bool running();
  // Sends `signal` and waits up to `limit`; the exit status, or -1 when it died of a signal or
  // did not end in time (then it is killed).
  int stop(int signal, std::chrono::milliseconds limit);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string pending_;
  bool reaped_ = false;
  int status_ = 0;
};

// `iscsim serve` on 127.0.0.1 with a free port it picked; `extra` are further options.
class ServeProcess {
 public:
  explicit ServeProcess(const std::string& target_name, const std::vector<std::string>& extra = {});
  std::uint16_t port() const { return port_; }
  std::string portal() const { return "127.0.0.1:" + std::to_string(port_); }
  // iscsi://[cred@]127.0.0.1:PORT/IQN/0[query]
  std::string url(const std::string& credentials = "", const std::string& query = "") const;
  Child& child() { return child_; }
  const std::string& log_path() const { return log_; }

 private:
  std::string target_;
  std::string log_;
  Child child_;
  std::uint16_t port_ = 0;
};

// Debian's tgtd on 127.0.0.1 with a RAM-backed LUN 1 behind each target it is asked for.
class TgtDaemon {
 public:
  TgtDaemon();
  ~TgtDaemon();
  bool ready() const { return ready_; }
  const std::string& why_not() const { return why_not_; }
  std::uint16_t port() const { return port_; }
  // A target with a RAM-backed LUN 1; `chap`/`mutual` as USER:SECRET, empty for none.
  bool add_target(int tid, const std::string& iqn, const std::string& chap = "", const std::string& mutual = "");
  std::string url(const std::string& iqn, int lun, const std::string& credentials = "",
                  const std::string& query = "") const;

 private:
  bool admin(const std::string& args);
  int control_port_ = 0;
  std::uint16_t port_ = 0;
  std::string backing_;
  std::string log_;
  std::unique_ptr<Child> child_;
  bool ready_ = false;
  std::string why_not_;
};

}  // namespace iscsim::wire::testing
