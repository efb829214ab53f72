#pragma once
// The costed CPUs' side of results.json: per CPU, per bin, the paper's Table 1 counters
// normalized per MB of payload, %CPU and CPI; per code path, what calibration needs; and the
// Table 1 text layout.
#include <string>

#include <nlohmann/json.hpp>

#include "models/cpu/CpuCostModel.hpp"
#include "sim/host/CostedHost.hpp"
#include "sim/scenario/Scenario.hpp"

namespace iscsim::world {

// `window_s` of simulated time in which `payload_mb` MB completed. Idle is what the window
// leaves: every CPU's bins add up to window x frequency.
nlohmann::json costed_cpus(const host::CostedHost& host, const scenario::Scenario& s, double window_s,
                           double payload_mb);
// Per thread of the host's kernel: its %CPU of the window on each CPU, its runs and migrations
// in the window (where threads settle, which decides much of the SMP fit).
nlohmann::json costed_threads(const host::CostedHost& host, const scenario::Scenario& s, double window_s);
// Sum over CPUs of non-idle %CPU (2 CPUs fully busy = 200).
double cpu_util_pct(const nlohmann::json& cpus);
// The dedicated view of an AMP host: utilization with every PPE counted fully busy.
double cpu_dedicated_pct(const nlohmann::json& cpus);
// Table 1 of the paper, for one run: a block per CPU side by side.
std::string table1_text(const nlohmann::json& results);

}  // namespace iscsim::world
