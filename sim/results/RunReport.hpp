#pragma once
// Turns what a finished run holds (transfers, NICs, hosts, buses) into results.json's content,
// and results.json into the tidy bins.csv. Derived figures are computed here, never kept by hand.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "models/disk/RamDisk.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "sim/host/Host.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/workload/BulkTransfer.hpp"
#include "sim/workload/Iometer.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"
#include "sim/world/IscsiTargetLink.hpp"
#include "sim/world/NicPort.hpp"

namespace iscsim::world {

struct RunRecord {
  const scenario::Scenario* scenario = nullptr;
  std::vector<const workload::BulkTransfer*> transfers;
  const workload::Iometer* iometer = nullptr;  // iSCSI runs
  std::vector<const IscsiInitiatorLink*> initiator_links;
  std::vector<const IscsiTargetLink*> target_links;
  // Every TCP connection of the run, initiator end first (reconnections included).
  std::vector<std::pair<const TcpEndpoint*, const TcpEndpoint*>> connections;
  std::vector<const NicPort*> ports;
  std::vector<const host::Host*> hosts;
  std::vector<const models::PciBus*> pci_buses;
  std::vector<const models::MemoryBus*> memory_buses;
  std::vector<const models::RamDisk*> target_timings;  // per target machine, as the targets
  const host::CostedHost* costed = nullptr;  // the initiator's CPUs (smp, amp); null: ideal
  models::Picos end_time = 0;
  bool completed = false;  // every transfer drained and closed before the drain limit
};

// What the workload completed inside the measured window.
struct WorkloadFigures {
  std::uint64_t window_bytes = 0;
  std::uint64_t window_ios = 0;
};

nlohmann::json build_results(const RunRecord& record);
// bins.csv: scenario,cpu,role,bin,counter,value, one row per CPU, bin and counter.
std::string bins_csv(const nlohmann::json& results);

}  // namespace iscsim::world
