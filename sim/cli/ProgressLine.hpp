#pragma once
// The line `iscsim run` keeps up to date on a terminal while a run takes more than a couple of
// wall seconds: where simulated time is in the measured window, and the real-time factor. It
// prints nothing when standard error is not a terminal.
#include <chrono>

namespace iscsim::cli {

class ProgressLine {
 public:
  // The measured window in simulated seconds.
  ProgressLine(double window_start_s, double window_end_s);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Simulated time now; redraws at most a few times a second.
  void update(double simulated_s);
  // Erases the line, so that what follows starts on a clean one.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  double window_start_s_;
  double window_end_s_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_drawn_{};
  bool drawn_ = false;
};

}  // namespace iscsim::cli
