#pragma once
// What a running sweep shows: on a terminal one status line redrawn in place (done/total,
// failures, running, elapsed, ETA) with failures printed above it; elsewhere one line per
// finished point.
#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace iscsim::sweep {

class Progress {
 public:
  // `total` points, `already_done` of them complete before this invocation.
  Progress(std::ostream& out, bool terminal, std::size_t total, std::size_t already_done);

  void started();
  void finished(const std::string& id, bool ok, int exit_status, double wall_s, const std::string& error);
  // A point stopped by an interrupt: neither done nor failed.
  void stopped();
  void interrupted(std::size_t stopped);
  void tick();
  // Ends the status line on a terminal.
  void close();

 private:
  void draw();
  std::string elapsed_and_eta() const;

  std::ostream& out_;
  bool terminal_;
  std::size_t total_, done_, failed_ = 0, running_ = 0, finished_here_ = 0, to_run_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace iscsim::sweep
