#include "sim/cli/ProgressLine.hpp"

#include <algorithm>
#include <cstdio>

#include <unistd.h>

#include "sim/results/Units.hpp"

namespace iscsim::cli {

namespace {

// A run this short ends before a progress line would help; shorter runs print nothing.
constexpr std::chrono::milliseconds kQuietFor{2000};
// Often enough to look alive, rarely enough not to flicker.
constexpr std::chrono::milliseconds kRedrawEvery{250};
// Carriage return, then erase to the end of the line (ANSI EL), so a shorter line leaves no tail.
constexpr const char* kRewriteLine = "\r\033[K";

}  // namespace

ProgressLine::ProgressLine(double window_start_s, double window_end_s)
    : enabled_(::isatty(STDERR_FILENO) == 1), window_start_s_(window_start_s), window_end_s_(window_end_s) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::update(double simulated_s) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (now - started_ < kQuietFor || (drawn_ && now - last_drawn_ < kRedrawEvery)) return;
  const double wall_s = std::chrono::duration<double>(now - started_).count();
  const double window_s = window_end_s_ - window_start_s_;
  const double in_window_s = std::clamp(simulated_s - window_start_s_, 0.0, window_s);
  char line[160];
  if (simulated_s < window_start_s_)
    std::snprintf(line, sizeof line, "warm-up: %.3f of %.3f simulated s", simulated_s, window_start_s_);
  else if (simulated_s < window_end_s_)
    std::snprintf(line, sizeof line, "window: %.3f of %.3f simulated s (%.0f%%)", in_window_s, window_s,
                  world::kPercent * in_window_s / window_s);
  else
    std::snprintf(line, sizeof line, "window done; draining: %.3f simulated s past it",
                  simulated_s - window_end_s_);
  std::fprintf(stderr, "%s%s; %.2f simulated s per wall s", kRewriteLine, line, simulated_s / wall_s);
  std::fflush(stderr);
  last_drawn_ = now;
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "%s", kRewriteLine);
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace iscsim::cli
