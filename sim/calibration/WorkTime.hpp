#pragma once
// The one throughput figure Table 1 holds: it counts every CPU's cycles per unit of work, idle
// included, and both CPUs' totals agree within 1%, so each workload's total is the wall time its
// unit of work took. The ratio of the two workloads' totals is unit-free and compares with the
// ratio of the runs' throughputs (the unit of work itself the paper does not give).
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {

// How much longer the writes took than the reads for the same work: in the paper, from its
// cycles; in the runs, the reads' throughput over the writes'.
struct WorkTimeRatio {
  double paper = 0;
  double sim = 0;
};

// Empty unless `reference` and `runs` both hold a write ("W") and a read ("R") workload.
std::optional<WorkTimeRatio> write_over_read_time(const nlohmann::json& reference, const Runs& runs);
// One line for calibrate's report; empty without a ratio.
std::string work_time_text(const std::optional<WorkTimeRatio>& ratio);

}  // namespace iscsim::calibration
