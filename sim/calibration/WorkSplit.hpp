#pragma once
// How the work splits between the two CPUs: the instructions each retires in the non-idle bins,
// CPU1's over CPU0's, in Table 1 and in the runs. Unit-free, and free of the CPIs: where the
// threads ran, and with them which CPU did a bin's work (the paper does not say).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {

struct WorkSplit {
  std::string workload;
  double paper = 0;  // CPU1's instructions over CPU0's
  double sim = 0;
};

// One entry per workload of `runs` that `reference` holds with two CPUs.
std::vector<WorkSplit> cpu1_over_cpu0_instructions(const nlohmann::json& reference, const Runs& runs);
// One line for calibrate's report; empty without a workload.
std::string work_split_text(const std::vector<WorkSplit>& splits);
nlohmann::json work_split_json(const std::vector<WorkSplit>& splits);

}  // namespace iscsim::calibration
