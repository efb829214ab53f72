#pragma once
// The results of an iSCSI (IOmeter-like) run: integrity, PDUs by opcode, R2Ts, latency
// percentiles, TCP statistics, per target and in total.
#include <nlohmann/json.hpp>

#include "sim/results/RunReport.hpp"

namespace iscsim::world {

// Fills results["integrity"], ["iscsi"], ["targets"] and ["tcp"]; returns the window's figures.
WorkloadFigures iscsi_results(const RunRecord& record, nlohmann::json& results);

}  // namespace iscsim::world
