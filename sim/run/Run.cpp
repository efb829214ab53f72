#include "sim/run/Run.hpp"

#include <algorithm>
#include <memory>

#include "sim/host/IdealHost.hpp"
#include "sim/results/RunReport.hpp"
#include "sim/trace/PcapWriter.hpp"
#include "sim/run/Assembly.hpp"
#include "sim/run/ParameterSets.hpp"

namespace iscsim::run {

using namespace world;  // the shared parts every run is built from

class PcapTap : public WireTap {
 public:
  PcapTap(const std::string& path, const trace::PcapOptions& options, Calendar& calendar)
      : writer_(path, options), calendar_(calendar) {}
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

namespace {

using models::Picos;
using scenario::Scenario;

// After the measured window the workload winds down (senders close, I/Os drain, writes are read
// back) and the run continues until it has; one that cannot finish (a dead link) stops here.
constexpr double kDrainLimitS = 120.0;
// netperf's data connection: the initiator's ephemeral ports talk to one well-known port.
constexpr std::uint16_t kNetperfDataPort = 12866;    // netperf data port (control is 12865)

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

// A NIC's crystal runs off nominal by an amount drawn uniformly within the NIC's tolerance.
double clock_offset_ppm(std::uint64_t seed, double tolerance_ppm) {
  constexpr double kUnit = 0x1p-53;  // the top 53 bits of the seed as a double in [0, 1)
  constexpr int kDropBits = 11;
  const double u = static_cast<double>(seed >> kDropBits) * kUnit;
  return (2 * u - 1) * tolerance_ppm;
}

std::unique_ptr<NicPort> make_port(Assembly& a, const Scenario& s, const std::string& name,
                                   const models::NicDriverSettings& driver, models::PciBus& pci, models::MemoryBus& fsb,
                                   std::uint64_t fault_seed, std::uint64_t clock_seed) {
  auto wire = std::make_unique<models::EthernetLinkDirection>(a.framing, s.nics.link_gbps * 1e9,
                                                              models::picos_from_micros(s.link.latency_us));
  auto nic = std::make_unique<models::Pro1000Nic>(a.nic_params, driver, pci, fsb, *wire,
                                                  clock_offset_ppm(clock_seed, a.nic_params.clock_tolerance_ppm));
  auto port = std::make_unique<NicPort>(name, a.calendar, std::move(nic), std::move(wire),
                                       FaultInjector(s.link, fault_seed));
  port->use_frames(&a.frames);
  return port;
}

// The machines and the wires: the initiator, one target per NIC, their buses, NICs and links.
void build_platform(Assembly& a, const Scenario& s, const RunOptions& opt) {
  a.framing = models::EthernetFraming::from(models::ParamSet::load(opt.params_dir, "link", "ethernet"));
  a.nic_params = models::Pro1000Params::from(models::ParamSet::load(opt.params_dir, "nic", s.nics.model));
  a.pci_params = models::PciBusParams::from(models::ParamSet::load(opt.params_dir, "pci", s.pci.model));
  a.fsb_params = models::MemoryBusParams::from(models::ParamSet::load(opt.params_dir, "memory", "fsb-400"));
  if (!opt.pcap_path.empty()) a.pcap = std::make_unique<PcapTap>(opt.pcap_path, opt.pcap, a.calendar);
  a.window_start = models::picos_from_seconds(s.run.warmup_s);
  a.window_end = models::picos_from_seconds(s.run.warmup_s + s.run.duration_s);
  if (!opt.trace_path.empty()) {
    const trace::TraceWindow first{
        a.window_start, std::min(a.window_end, a.window_start + models::picos_from_seconds(kDefaultTraceSeconds))};
    a.timeline = std::make_unique<trace::ChromeTrace>(opt.trace_path, opt.trace_window.value_or(first));
  }

  const models::NicDriverSettings initiator_driver = nic_settings(s.nics);
  const models::NicDriverSettings target_driver =
      s.target.nic_driver == scenario::kSameNicDriver
          ? initiator_driver
          : models::driver_moderation(initiator_driver,
                                      models::ParamSet::load(opt.params_dir, "driver", s.target.nic_driver), a.nic_params);

  a.memory_buses.push_back(std::make_unique<models::MemoryBus>(a.fsb_params));  // initiator FSB
  a.hosts.push_back(make_initiator(a, s, opt));
  const SeedSequence seeds(s.run.seed);
  for (int i = 0; i < s.nics.count; ++i) {
    if (i == 0 || !s.pci.shared) a.pci_buses.push_back(std::make_unique<models::PciBus>(a.pci_params));
    models::PciBus& init_pci = *a.pci_buses.back();
    // Each target is its own machine: its own PCI-X segment and memory bus.
    a.pci_buses.push_back(std::make_unique<models::PciBus>(a.pci_params));
    models::PciBus& target_pci = *a.pci_buses.back();
    a.memory_buses.push_back(std::make_unique<models::MemoryBus>(a.fsb_params));
    models::MemoryBus& target_fsb = *a.memory_buses.back();

    auto init_port = make_port(a, s, "initiator.nic" + std::to_string(i), initiator_driver, init_pci, *a.memory_buses[0],
                               seeds.derive(SeedPurpose::LinkFaults, 2 * i), seeds.derive(SeedPurpose::NicClock, 2 * i));
    auto target_port = make_port(a, s, "target" + std::to_string(i) + ".nic0", target_driver, target_pci, target_fsb,
                                 seeds.derive(SeedPurpose::LinkFaults, 2 * i + 1),
                                 seeds.derive(SeedPurpose::NicClock, 2 * i + 1));
    init_port->connect(target_port.get());
    if (a.timeline)
      init_port->trace_to(a.timeline.get(), a.timeline->track(a.hosts[0]->name(), ""), "nic" + std::to_string(i));
    target_port->connect(init_port.get());
    if (a.pcap) {
      init_port->set_tap(a.pcap.get());
      target_port->set_tap(a.pcap.get());
    }
    a.hosts.push_back(std::make_unique<host::IdealHost>("target" + std::to_string(i)));
    NicPair pair;
    pair.target = a.hosts.back().get();
    pair.initiator_port = a.hosts[0]->attach(init_port.get());
    pair.target_port = pair.target->attach(target_port.get());
    pair.addresses = nic_addresses(i);
    a.pairs.push_back(pair);
    a.ports.push_back(std::move(init_port));
    a.ports.push_back(std::move(target_port));
  }
}

// netperf-like: one connection per NIC, data flowing as the scenario says.
void wire_bulk(Assembly& a, const Scenario& s) {
  for (std::size_t i = 0; i < a.pairs.size(); ++i) {
    const auto init_port = static_cast<std::uint16_t>(kInitiatorBasePort + i);
    const EndpointPair ep = make_endpoints(a, s, i, init_port, kNetperfDataPort, i, "conn0");
    const bool to_target = s.workload.direction == scenario::BulkDirection::ToTarget;
    // The connection is always opened by the initiator; data flows as the scenario says.
    a.transfers.push_back(std::make_unique<workload::BulkTransfer>(
        to_target ? *ep.initiator : *ep.target, to_target ? *ep.target : *ep.initiator, static_cast<std::uint64_t>(i),
        static_cast<std::uint32_t>(s.workload.bulk_write_bytes), a.window_start, a.window_end,
        to_target ? workload::BulkTransfer::Opener::Sender : workload::BulkTransfer::Opener::Receiver));
  }
  for (auto& t : a.transfers) t->start();
  a.calendar.schedule(a.window_end, [&a] {
    for (auto& t : a.transfers) t->stop_sending();
  });
}

}  // namespace

stack::tcp::Config tcp_config(const Scenario& s, int socket_buffer_bytes) {
  stack::tcp::Config c;
  c.mtu_bytes = static_cast<std::uint32_t>(s.nics.mtu_bytes);
  c.timestamps = s.tcp.timestamps;
  c.nodelay = s.tcp.nodelay;
  c.delayed_ack = s.tcp.delayed_ack;
  c.sack = s.tcp.sack;
  c.dsack = s.tcp.sack;
  c.send_buffer_bytes = static_cast<std::uint32_t>(socket_buffer_bytes);
  c.receive_buffer_bytes = static_cast<std::uint32_t>(socket_buffer_bytes);
  return c;
}

EndpointPair make_endpoints(Assembly& a, const Scenario& s, std::size_t pair, std::uint16_t initiator_port,
                            std::uint16_t target_port, std::uint64_t k, const std::string& name) {
  const SeedSequence seeds(s.run.seed);
  NicPair& p = a.pairs[pair];
  host::Host& initiator = *a.hosts[0];
  host::Host& target = *p.target;
  const std::size_t ii = p.initiator_port;
  const std::size_t ti = p.target_port;
  auto init_ep = std::make_unique<TcpEndpoint>(
      "initiator.nic" + std::to_string(pair) + "." + name, a.calendar,
      tcp_config(s, s.tcp.initiator_socket_buffer_bytes), p.addresses.initiator_to_target, initiator_port,
      target_port, static_cast<std::uint32_t>(seeds.derive(SeedPurpose::InitialSequence, 2 * k)),
      [&initiator, ii](Frame f) { initiator.send(ii, std::move(f)); });
  auto target_ep = std::make_unique<TcpEndpoint>(
      "target" + std::to_string(pair) + "." + name, a.calendar, tcp_config(s, s.tcp.target_socket_buffer_bytes),
      p.addresses.target_to_initiator, target_port, initiator_port,
      static_cast<std::uint32_t>(seeds.derive(SeedPurpose::InitialSequence, 2 * k + 1)),
      [&target, ti](Frame f) { target.send(ti, std::move(f)); });
  init_ep->use_frames(&a.frames);
  target_ep->use_frames(&a.frames);
  initiator.bind(ii, init_ep.get());
  target.bind(ti, target_ep.get());
  EndpointPair out{init_ep.get(), target_ep.get()};
  a.endpoints.push_back(std::move(init_ep));
  a.endpoints.push_back(std::move(target_ep));
  return out;
}

RunOutcome run_world(const Scenario& s, const RunOptions& opt) {
  check_parameter_sets(s, opt.params_dir);
  Assembly a;
  build_platform(a, s, opt);
  const bool bulk = s.workload.type == scenario::WorkloadType::Bulk;
  if (bulk)
    wire_bulk(a, s);
  else
    wire_iscsi(a, s, opt);

  PlatformSpec platform;
  for (int c = 0; c < s.host.cores; ++c) platform.cpu_hosts.push_back("initiator.cpu" + std::to_string(c));
  platform.cpu_hz = s.host.cpu.frequency_ghz * 1e9;
  for (int i = 0; i < s.nics.count; ++i) platform.target_hosts.push_back("target" + std::to_string(i));
  platform.target_hz = platform.cpu_hz;
  platform.link_bytes_per_s = s.nics.link_gbps * 1e9 / 8;
  platform.link_latency_s = s.link.latency_us * 1e-6;
  if (opt.engine_starting) opt.engine_starting();
  SimgridClock clock(platform, opt.simgrid_args);
  if (opt.engine_started) opt.engine_started();

  const Picos limit = a.window_end + models::picos_from_seconds(kDrainLimitS);
  const auto all_done = [&a, bulk] {
    if (a.calendar.now() < a.window_end) return false;
    if (!bulk) return iscsi_finished(a);
    for (const auto& t : a.transfers)
      if (!t->finished()) return false;
    return true;
  };
  RunOutcome out;
  out.clock = clock.run(a.calendar, limit, all_done, opt.progress);
  if (a.pcap) a.pcap->close();
  if (a.timeline) a.timeline->close();

  RunRecord record;
  record.scenario = &s;
  for (const auto& t : a.transfers) record.transfers.push_back(t.get());
  record.iometer = a.iometer.get();
  for (const auto& l : a.initiator_links) record.initiator_links.push_back(l.get());
  for (const auto& l : a.target_links) record.target_links.push_back(l.get());
  for (std::size_t e = 0; e + 1 < a.endpoints.size(); e += 2)
    record.connections.emplace_back(a.endpoints[e].get(), a.endpoints[e + 1].get());
  for (const auto& p : a.ports) record.ports.push_back(p.get());
  for (const auto& h : a.hosts) record.hosts.push_back(h.get());
  for (const auto& b : a.pci_buses) record.pci_buses.push_back(b.get());
  for (const auto& b : a.memory_buses) record.memory_buses.push_back(b.get());
  for (const auto& d : a.ramdisks) record.target_timings.push_back(d.get());
  record.costed = a.hosts[0]->costed();
  record.end_time = a.calendar.now();
  record.completed = all_done();
  out.results = build_results(record);
  return out;
}

}  // namespace iscsim::run
