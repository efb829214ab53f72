#include "sim/sweep/Progress.hpp"

#include <cstdio>

namespace iscsim::sweep {

namespace {

constexpr int kSecondsPerMinute = 60;
constexpr int kSecondsPerHour = 3600;
// Erases the rest of the terminal line (ANSI "erase in line").
constexpr const char* kClearLine = "\r\033[K";

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= kSecondsPerHour)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / kSecondsPerHour, s % kSecondsPerHour / kSecondsPerMinute,
                  s % kSecondsPerMinute);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / kSecondsPerMinute, s % kSecondsPerMinute);
  return buf;
}

}  // namespace

Progress::Progress(std::ostream& out, bool terminal, std::size_t total, std::size_t already_done)
    : out_(out), terminal_(terminal), total_(total), done_(already_done), to_run_(total - already_done) {
  if (already_done > 0) out_ << "sweep: " << already_done << " of " << total << " points already done, skipped\n";
  if (terminal_) draw();
}

std::string Progress::elapsed_and_eta() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string text = "elapsed " + clock_text(elapsed);
  // Points finish at the rate seen so far in this invocation.
  if (finished_here_ > 0 && finished_here_ < to_run_)
    text += ", ETA " + clock_text(elapsed * static_cast<double>(to_run_ - finished_here_) / static_cast<double>(finished_here_));
  return text;
}

void Progress::draw() {
  out_ << kClearLine << "sweep: " << done_ << "/" << total_ << " done, " << failed_ << " failed, " << running_
       << " running, " << elapsed_and_eta() << std::flush;
}

void Progress::started() {
  ++running_;
  if (terminal_) draw();
}

void Progress::finished(const std::string& id, bool ok, int exit_status, double wall_s, const std::string& error) {
  --running_;
  ++finished_here_;
  ++done_;
  if (!ok) ++failed_;
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.1f s", wall_s);
  std::string line = "[" + std::to_string(done_) + "/" + std::to_string(total_) + "] " + (ok ? "ok     " : "FAILED ") + id +
                     " (" + wall + ")";
  if (!ok) line += " exit " + std::to_string(exit_status) + ": " + error;
  if (terminal_) {
    // On a terminal only failures are worth a line of their own.
    if (!ok) out_ << kClearLine << line << "\n";
    draw();
  } else {
    out_ << line << "\n" << std::flush;
  }
}

void Progress::stopped() { --running_; }

void Progress::interrupted(std::size_t stopped) {
  if (terminal_) out_ << kClearLine;
  out_ << "sweep: interrupted; stopped " << stopped << " running point" << (stopped == 1 ? "" : "s")
       << " and removed their partial outputs\n";
  if (terminal_) draw();
}

void Progress::tick() {
  if (terminal_) draw();
}

void Progress::close() {
  if (terminal_) out_ << kClearLine << "sweep: " << done_ << "/" << total_ << " done, " << failed_ << " failed, " << elapsed_and_eta() << "\n";
}

}  // namespace iscsim::sweep
