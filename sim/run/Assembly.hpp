#pragma once
// Everything one run builds, kept alive together until the results are read, and the steps that
// build it: the machines and wires (Run.cpp, the initiator's architecture from Architectures.cpp),
// then the workload over them (bulk TCP in Run.cpp, iSCSI in IscsiWiring.cpp).
#include <memory>
#include <string>
#include <vector>

#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "models/disk/RamDisk.hpp"
#include "models/link/EthernetLink.hpp"
#include "models/nic/Pro1000Nic.hpp"
#include "sim/host/Host.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"
#include "sim/trace/ChromeTrace.hpp"
#include "sim/workload/BulkTransfer.hpp"
#include "sim/workload/Iometer.hpp"
#include "sim/world/Addressing.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/FramePool.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"
#include "sim/world/IscsiTargetLink.hpp"
#include "sim/world/NicPort.hpp"
#include "sim/world/TcpEndpoint.hpp"
#include "sim/run/Run.hpp"

namespace iscsim::run {

using world::Calendar;

// The initiator's first local port, bulk or iSCSI: Linux 2.4's ip_local_port_range start.
inline constexpr std::uint16_t kInitiatorBasePort = 32768;

class PcapTap;

// The NIC pair joining the initiator to target i.
struct NicPair {
  std::size_t initiator_port = 0;  // port index on the initiator host
  std::size_t target_port = 0;     // port index on the target host
  host::Host* target = nullptr;
  world::NicAddresses addresses;
};

struct Assembly {
  Calendar calendar;
  models::EthernetFraming framing;
  models::Pro1000Params nic_params;
  models::PciBusParams pci_params;
  models::MemoryBusParams fsb_params;
  std::vector<std::unique_ptr<models::PciBus>> pci_buses;
  std::vector<std::unique_ptr<models::MemoryBus>> memory_buses;
  world::FramePool frames;  // every frame's buffer, recycled from receiver to sender
  std::vector<std::unique_ptr<world::NicPort>> ports;
  std::vector<std::unique_ptr<host::Host>> hosts;  // [0] initiator, then one per target
  std::vector<NicPair> pairs;
  std::vector<std::unique_ptr<world::TcpEndpoint>> endpoints;
  std::vector<std::unique_ptr<workload::BulkTransfer>> transfers;
  // iSCSI: one SCSI device and RAM-disk timing per target, one link pair per session.
  std::unique_ptr<workload::Iometer> iometer;
  std::vector<std::unique_ptr<stack::scsi::ScsiTarget>> devices;
  std::vector<std::unique_ptr<models::RamDisk>> ramdisks;
  std::vector<std::unique_ptr<world::IscsiInitiatorLink>> initiator_links;
  std::vector<std::unique_ptr<world::IscsiTargetLink>> target_links;
  // A costed initiator (smp, amp): the software binding each session to its CPUs.
  std::vector<std::unique_ptr<world::IoTarget>> session_paths;
  std::unique_ptr<PcapTap> pcap;
  std::unique_ptr<trace::ChromeTrace> timeline;  // the timeline trace, when asked for
  std::uint64_t connections_made = 0;  // numbers every TCP connection: ports and seeds derive from it
  models::Picos window_start = 0;
  models::Picos window_end = 0;
};

stack::tcp::Config tcp_config(const scenario::Scenario& s, int socket_buffer_bytes);
// A connected pair of endpoints over NIC pair `pair`, bound to their hosts; index `k` numbers
// the connection within the run (ports and initial sequence numbers derive from it).
struct EndpointPair {
  world::TcpEndpoint* initiator = nullptr;
  world::TcpEndpoint* target = nullptr;
};
EndpointPair make_endpoints(Assembly& a, const scenario::Scenario& s, std::size_t pair, std::uint16_t initiator_port,
                            std::uint16_t target_port, std::uint64_t k, const std::string& name);

void wire_iscsi(Assembly& a, const scenario::Scenario& s, const RunOptions& opt);
// The initiator host of the architecture `s` names (ideal, smp, amp): the one place that knows
// them all. Throws UnsupportedScenario for a combination no architecture simulates.
std::unique_ptr<host::Host> make_initiator(Assembly& a, const scenario::Scenario& s, const RunOptions& opt);
bool iscsi_finished(const Assembly& a);

}  // namespace iscsim::run
