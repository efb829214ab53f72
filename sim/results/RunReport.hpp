#pragma once
// Turns what a finished run holds (transfers, NICs, hosts, buses) into results.json's content,
// and results.json into the tidy bins.csv. Derived figures are computed here, never kept by hand.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "sim/host/IdealHost.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/workload/BulkTransfer.hpp"
#include "sim/world/NicPort.hpp"

namespace iscsim::world {

struct RunRecord {
  const scenario::Scenario* scenario = nullptr;
  std::vector<const workload::BulkTransfer*> transfers;
  std::vector<const NicPort*> ports;
  std::vector<const host::IdealHost*> hosts;
  std::vector<const models::PciBus*> pci_buses;
  std::vector<const models::MemoryBus*> memory_buses;
  models::Picos end_time = 0;
  bool completed = false;  // every transfer drained and closed before the drain limit
};

nlohmann::json build_results(const RunRecord& record);
// bins.csv: scenario,cpu,role,bin,counter,value, one row per CPU, bin and counter.
std::string bins_csv(const nlohmann::json& results);

}  // namespace iscsim::world
