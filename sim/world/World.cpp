#include "sim/world/World.hpp"

#include <memory>

#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "models/nic/Pro1000Nic.hpp"
#include "sim/host/IdealHost.hpp"
#include "sim/results/RunReport.hpp"
#include "sim/trace/PcapWriter.hpp"
#include "sim/workload/BulkTransfer.hpp"
#include "sim/world/Addressing.hpp"
#include "sim/world/NicPort.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

namespace {

using models::Picos;
using scenario::Scenario;

// After the measured window the senders close and the run continues until every byte written has
// been read and both ends closed; a transfer that cannot finish (a dead link) stops here.
constexpr double kDrainLimitS = 120.0;
// netperf's data connection: the initiator's ephemeral ports talk to one well-known port.
constexpr std::uint16_t kInitiatorBasePort = 32768;  // Linux 2.4 ip_local_port_range start
constexpr std::uint16_t kTargetPort = 12866;         // netperf data port (control is 12865)

class PcapTap : public WireTap {
 public:
  PcapTap(const std::string& path, Calendar& calendar) : writer_(path), calendar_(calendar) {}
  void frame_on_wire(Picos start, const Frame& frame) override {
    // Frames start at or after "now", so everything earlier is final and can be written.
    writer_.flush_until(calendar_.now() / models::kPicosPerNano - 1);
    writer_.add(start / models::kPicosPerNano, frame);
  }
  void close() { writer_.close(); }

 private:
  trace::PcapWriter writer_;
  Calendar& calendar_;
};

stack::tcp::Config tcp_config(const Scenario& s, int socket_buffer_bytes) {
  stack::tcp::Config c;
  c.mtu_bytes = static_cast<std::uint32_t>(s.nics.mtu_bytes);
  c.timestamps = s.tcp.timestamps;
  c.nodelay = s.tcp.nodelay;
  c.delayed_ack = s.tcp.delayed_ack;
  c.send_buffer_bytes = static_cast<std::uint32_t>(socket_buffer_bytes);
  c.receive_buffer_bytes = static_cast<std::uint32_t>(socket_buffer_bytes);
  return c;
}

models::NicDriverSettings nic_settings(const scenario::NicSpec& n) {
  models::NicDriverSettings d;
  d.tx_ring = static_cast<std::uint32_t>(n.tx_ring);
  d.rx_ring = static_cast<std::uint32_t>(n.rx_ring);
  d.itr_ints_per_s = n.itr_ints_per_s;
  d.rdtr = models::picos_from_micros(n.rdtr_us);
  d.radv = models::picos_from_micros(n.radv_us);
  d.tidv = models::picos_from_micros(n.tidv_us);
  d.tadv = models::picos_from_micros(n.tadv_us);
  return d;
}

// Everything one run builds, kept alive together until the results are read.
struct Assembly {
  Calendar calendar;
  models::EthernetFraming framing;
  models::Pro1000Params nic_params;
  models::PciBusParams pci_params;
  models::MemoryBusParams fsb_params;
  std::vector<std::unique_ptr<models::PciBus>> pci_buses;
  std::vector<std::unique_ptr<models::MemoryBus>> memory_buses;
  std::vector<std::unique_ptr<NicPort>> ports;
  std::vector<std::unique_ptr<host::IdealHost>> hosts;  // [0] initiator, then one per target
  std::vector<std::unique_ptr<TcpEndpoint>> endpoints;
  std::vector<std::unique_ptr<workload::BulkTransfer>> transfers;
  std::unique_ptr<PcapTap> pcap;
};

std::unique_ptr<NicPort> make_port(Assembly& a, const Scenario& s, const std::string& name, models::PciBus& pci,
                                   models::MemoryBus& fsb, std::uint64_t fault_seed) {
  auto wire = std::make_unique<models::EthernetLinkDirection>(a.framing, s.nics.link_gbps * 1e9,
                                                              models::picos_from_micros(s.link.latency_us));
  auto nic = std::make_unique<models::Pro1000Nic>(a.nic_params, nic_settings(s.nics), pci, fsb, *wire);
  return std::make_unique<NicPort>(name, a.calendar, std::move(nic), std::move(wire),
                                   FaultInjector(s.link, fault_seed));
}

void check_supported(const Scenario& s) {
  if (s.host.architecture != scenario::Architecture::Ideal)
    throw UnsupportedScenario(s.source_file + ": host.architecture: only \"ideal\" can be simulated in this version "
                              "(smp and amp arrive with the cost model)");
  if (s.workload.type != scenario::WorkloadType::Bulk)
    throw UnsupportedScenario(s.source_file + ": workload.type: only \"bulk\" can be simulated in this version "
                              "(iometer arrives with iSCSI)");
}

void build(Assembly& a, const Scenario& s, const RunOptions& opt) {
  a.framing = models::EthernetFraming::from(models::ParamSet::load(opt.params_dir, "link", "ethernet"));
  a.nic_params = models::Pro1000Params::from(models::ParamSet::load(opt.params_dir, "nic", s.nics.model));
  a.pci_params = models::PciBusParams::from(models::ParamSet::load(opt.params_dir, "pci", s.pci.model));
  a.fsb_params = models::MemoryBusParams::from(models::ParamSet::load(opt.params_dir, "memory", "fsb-400"));
  if (!opt.pcap_path.empty()) a.pcap = std::make_unique<PcapTap>(opt.pcap_path, a.calendar);

  const int nics = s.nics.count;
  a.memory_buses.push_back(std::make_unique<models::MemoryBus>(a.fsb_params));  // initiator FSB
  a.hosts.push_back(std::make_unique<host::IdealHost>("initiator"));
  const Picos window_start = models::picos_from_seconds(s.run.warmup_s);
  const Picos window_end = models::picos_from_seconds(s.run.warmup_s + s.run.duration_s);
  const SeedSequence seeds(s.run.seed);

  for (int i = 0; i < nics; ++i) {
    if (i == 0 || !s.pci.shared) a.pci_buses.push_back(std::make_unique<models::PciBus>(a.pci_params));
    models::PciBus& init_pci = *a.pci_buses.back();
    // Each target is its own machine: its own PCI-X segment and memory bus.
    a.pci_buses.push_back(std::make_unique<models::PciBus>(a.pci_params));
    models::PciBus& target_pci = *a.pci_buses.back();
    a.memory_buses.push_back(std::make_unique<models::MemoryBus>(a.fsb_params));
    models::MemoryBus& target_fsb = *a.memory_buses.back();

    auto init_port = make_port(a, s, "initiator.nic" + std::to_string(i), init_pci, *a.memory_buses[0],
                               seeds.derive(SeedPurpose::LinkFaults, 2 * i));
    auto target_port = make_port(a, s, "target" + std::to_string(i) + ".nic0", target_pci, target_fsb,
                                 seeds.derive(SeedPurpose::LinkFaults, 2 * i + 1));
    init_port->connect(target_port.get());
    target_port->connect(init_port.get());
    if (a.pcap) {
      init_port->set_tap(a.pcap.get());
      target_port->set_tap(a.pcap.get());
    }
    auto& initiator = *a.hosts[0];
    a.hosts.push_back(std::make_unique<host::IdealHost>("target" + std::to_string(i)));
    auto& target = *a.hosts.back();
    const std::size_t init_index = initiator.attach(init_port.get());
    const std::size_t target_index = target.attach(target_port.get());

    const NicAddresses addr = nic_addresses(i);
    const auto init_tcp_port = static_cast<std::uint16_t>(kInitiatorBasePort + i);
    auto init_ep = std::make_unique<TcpEndpoint>(
        "initiator.conn" + std::to_string(i), a.calendar, tcp_config(s, s.tcp.initiator_socket_buffer_bytes),
        addr.initiator_to_target, init_tcp_port, kTargetPort,
        static_cast<std::uint32_t>(seeds.derive(SeedPurpose::InitialSequence, 2 * i)),
        [&initiator, init_index](Frame f) { initiator.send(init_index, std::move(f)); });
    auto target_ep = std::make_unique<TcpEndpoint>(
        "target" + std::to_string(i) + ".conn0", a.calendar, tcp_config(s, s.tcp.target_socket_buffer_bytes),
        addr.target_to_initiator, kTargetPort, init_tcp_port,
        static_cast<std::uint32_t>(seeds.derive(SeedPurpose::InitialSequence, 2 * i + 1)),
        [&target, target_index](Frame f) { target.send(target_index, std::move(f)); });
    initiator.bind(init_index, init_ep.get());
    target.bind(target_index, target_ep.get());

    const bool to_target = s.workload.direction == scenario::BulkDirection::ToTarget;
    // The connection is always opened by the initiator; data flows as the scenario says.
    TcpEndpoint& opener = *init_ep;
    TcpEndpoint& listener = *target_ep;
    a.transfers.push_back(std::make_unique<workload::BulkTransfer>(
        to_target ? opener : listener, to_target ? listener : opener, static_cast<std::uint64_t>(i),
        static_cast<std::uint32_t>(s.workload.bulk_write_bytes), window_start, window_end,
        to_target ? workload::BulkTransfer::Opener::Sender : workload::BulkTransfer::Opener::Receiver));

    a.ports.push_back(std::move(init_port));
    a.ports.push_back(std::move(target_port));
    a.endpoints.push_back(std::move(init_ep));
    a.endpoints.push_back(std::move(target_ep));
  }
  for (auto& t : a.transfers) t->start();
  a.calendar.schedule(window_end, [&a] {
    for (auto& t : a.transfers) t->stop_sending();
  });
}

}  // namespace

RunOutcome run_world(const Scenario& s, const RunOptions& opt) {
  check_supported(s);
  Assembly a;
  build(a, s, opt);

  PlatformSpec platform;
  for (int c = 0; c < s.host.cores; ++c) platform.cpu_hosts.push_back("initiator.cpu" + std::to_string(c));
  platform.cpu_hz = s.host.cpu.frequency_ghz * 1e9;
  for (int i = 0; i < s.nics.count; ++i) platform.target_hosts.push_back("target" + std::to_string(i));
  platform.target_hz = platform.cpu_hz;
  platform.link_bytes_per_s = s.nics.link_gbps * 1e9 / 8;
  platform.link_latency_s = s.link.latency_us * 1e-6;
  SimgridClock clock(platform, opt.simgrid_args);

  const Picos window_end = models::picos_from_seconds(s.run.warmup_s + s.run.duration_s);
  const Picos limit = window_end + models::picos_from_seconds(kDrainLimitS);
  const auto all_done = [&a, window_end] {
    if (a.calendar.now() < window_end) return false;
    for (const auto& t : a.transfers)
      if (!t->finished()) return false;
    return true;
  };
  RunOutcome out;
  out.clock = clock.run(a.calendar, limit, all_done);
  if (a.pcap) a.pcap->close();

  RunRecord record;
  record.scenario = &s;
  for (const auto& t : a.transfers) record.transfers.push_back(t.get());
  for (const auto& p : a.ports) record.ports.push_back(p.get());
  for (const auto& h : a.hosts) record.hosts.push_back(h.get());
  for (const auto& b : a.pci_buses) record.pci_buses.push_back(b.get());
  for (const auto& b : a.memory_buses) record.memory_buses.push_back(b.get());
  record.end_time = a.calendar.now();
  record.completed = all_done();
  out.results = build_results(record);
  return out;
}

}  // namespace iscsim::world
