// The one place that knows every host architecture: it builds the initiator the scenario names.
// Adding an architecture is a folder under sim/host/ and a case here.
#include <memory>

#include "models/common/ParamSet.hpp"
#include "models/common/Time.hpp"
#include "sim/host/IdealHost.hpp"
#include "sim/host/amp/AmpHost.hpp"
#include "sim/host/smp/SmpHost.hpp"
#include "sim/run/Assembly.hpp"

namespace iscsim::run {

namespace {

using scenario::Scenario;

constexpr double kHzPerGhz = 1e9;
constexpr long long kMaxBytes = 4096;      // a queue slot or index sector is at most a page
constexpr long long kMaxSlots = 1 << 20;
constexpr double kHzPerMhz = 1e6;
constexpr long long kMaxSampleIntervalPerMhz = 1'000'000;  // a sample a second at most
constexpr long long kMaxSampleIntervalCycles = 1'000'000'000'000;
constexpr long long kMaxDaemonCount = 1 << 24;  // samples, nodes or bytes of the profiler's daemon

// A sampling profiler as the scenario names it: the time between its NMIs on a busy CPU (0: no
// profiler), a fixed number of cycles plus a number per MHz of the clock (OProfile's default
// changed from one to the other in 2003), and what its daemon moves and touches.
struct Profiler {
  models::Picos period = 0;
  host::kernel::OprofileDaemonParams daemon;
};

Profiler profiler(const Scenario& s, const RunOptions& opt, double hz) {
  if (s.host.profiler == scenario::kNoProfiler) return {};
  const models::ParamSet p = models::ParamSet::load(opt.params_dir, "profiler", s.host.profiler);
  const auto fixed = static_cast<double>(p.integer("sample_interval_cycles", 0, kMaxSampleIntervalCycles));
  const auto per_mhz = static_cast<double>(p.integer("sample_interval_cycles_per_mhz", 0, kMaxSampleIntervalPerMhz));
  const auto bytes = [&p](const char* name, long long min) {
    return static_cast<std::uint32_t>(p.integer(name, min, kMaxDaemonCount));
  };
  Profiler out;
  out.daemon.sample_bytes = bytes("sample_bytes", 0);
  out.daemon.wake_samples = bytes("buffer_wake_samples", 1);
  out.daemon.drain_samples = bytes("daemon_drain_samples", 1);
  out.daemon.sample_file_nodes = bytes("sample_file_nodes", 1);
  out.daemon.node_bytes = bytes("sample_file_node_bytes", 1);
  out.daemon.bucket_bytes = bytes("sample_file_bucket_bytes", 1);
  p.require_all_read();
  const double cycles = fixed + per_mhz * hz / kHzPerMhz;
  if (cycles < 1) throw models::ParamError(p.origin() + ": the sample interval is empty (both of its parts are 0)");
  out.period = models::picos_from_cycles(cycles, hz);
  return out;
}

// The kernel's objects the scenario names, on its NICs' MTU.
host::kernel::KernelObjects kernel_objects(const Scenario& s, const RunOptions& opt) {
  return host::kernel::KernelObjects::from(models::ParamSet::load(opt.params_dir, "kernel", s.host.kernel_objects),
                                           static_cast<std::uint32_t>(s.nics.mtu_bytes));
}

// host.code_paths, with the catalog of an architecture's own paths added (`own`, if any), then
// host.code_path_patch's fixed counts over both.
models::CodePathCatalog host_catalog(const Scenario& s, const RunOptions& opt, const std::string& own = "") {
  models::CodePathCatalog catalog =
      models::CodePathCatalog::load(models::ParamSet::path_of(opt.params_dir, "paths", s.host.code_paths));
  if (!own.empty()) catalog.add(models::CodePathCatalog::load(models::ParamSet::path_of(opt.params_dir, "paths", own)));
  if (s.host.code_path_patch != scenario::kNoCodePathPatch)
    catalog.apply_patch(models::ParamSet::path_of(opt.params_dir, "patches", s.host.code_path_patch));
  return catalog;
}

std::unique_ptr<host::Host> make_smp(Assembly& a, const Scenario& s, const RunOptions& opt) {
  host::smp::SmpConfig c;
  c.cpus = s.host.cores;
  c.hz = s.host.cpu.frequency_ghz * kHzPerGhz;
  c.routing = s.host.irq_routing;
  c.socket_buffer_bytes = static_cast<std::uint32_t>(s.tcp.initiator_socket_buffer_bytes);
  c.rx_ring = static_cast<std::uint32_t>(s.nics.rx_ring);
  c.tx_ring = static_cast<std::uint32_t>(s.nics.tx_ring);
  c.tcp_low_latency = s.tcp.low_latency;
  c.idle_poll = s.host.idle_poll;
  c.code_layout = s.host.code_layout;
  const Profiler prof = profiler(s, opt, c.hz);
  c.profiler_period = prof.period;
  c.profiler_daemon = prof.daemon;
  c.timeline = a.timeline.get();
  return std::make_unique<host::smp::SmpHost>(
      "initiator", a.calendar, *a.memory_buses[0],
      models::CpuParams::from(models::ParamSet::load(opt.params_dir, "cpu", s.host.cpu.model)),
      models::CacheGeometry::from(models::ParamSet::load(opt.params_dir, "cache", s.host.cache_model)),
      host_catalog(s, opt), kernel_objects(s, opt), c);
}

host::amp::RingGeometry ring(const models::ParamSet& q, const char* slots) {
  return host::amp::RingGeometry{static_cast<std::uint32_t>(q.integer("slot_bytes", 1, kMaxBytes)),
                                 static_cast<std::uint32_t>(q.integer("index_bytes", 1, kMaxBytes)),
                                 static_cast<std::uint32_t>(q.integer(slots, 1, kMaxSlots))};
}

std::unique_ptr<host::Host> make_amp(Assembly& a, const Scenario& s, const RunOptions& opt) {
  const models::ParamSet q = models::ParamSet::load(opt.params_dir, "amp", s.amp.queues);
  host::amp::AmpConfig c;
  c.cores = s.host.cores;
  c.ppes = s.host.ppes;
  c.hz = s.host.cpu.frequency_ghz * kHzPerGhz;
  c.rx_ring = static_cast<std::uint32_t>(s.nics.rx_ring);
  c.tx_ring = static_cast<std::uint32_t>(s.nics.tx_ring);
  c.strategy = s.amp;
  c.work_queue = ring(q, "work_queue_slots");
  c.event_queue = ring(q, "event_queue_slots");
  c.doorbell = ring(q, "doorbell_slots");
  q.require_all_read();
  c.ppe_timer_tick = s.amp.ppe_timer_tick;
  c.idle_poll = s.host.idle_poll;
  c.code_layout = s.host.code_layout;
  const Profiler prof = profiler(s, opt, c.hz);
  c.profiler_period = prof.period;
  c.profiler_daemon = prof.daemon;
  c.window_start = a.window_start;
  c.window_end = a.window_end;
  c.status_in_data_in = s.iscsi.status_in_data_in;
  c.timeline = a.timeline.get();
  models::CodePathCatalog catalog = host_catalog(s, opt, s.amp.code_paths);
  return std::make_unique<host::amp::AmpHost>(
      "initiator", a.calendar, *a.memory_buses[0],
      models::CpuParams::from(models::ParamSet::load(opt.params_dir, "cpu", s.host.cpu.model)),
      models::CacheGeometry::from(models::ParamSet::load(opt.params_dir, "cache", s.host.cache_model)),
      std::move(catalog),
      kernel_objects(s, opt), c);
}

}  // namespace

std::unique_ptr<host::Host> make_initiator(Assembly& a, const Scenario& s, const RunOptions& opt) {
  std::unique_ptr<host::Host> host;
  switch (s.host.architecture) {
    case scenario::Architecture::Ideal:
      return std::make_unique<host::IdealHost>("initiator");
    case scenario::Architecture::Smp:  // the loader refused bulk workloads on costed hosts
      host = make_smp(a, s, opt);
      break;
    case scenario::Architecture::Amp:
      host = make_amp(a, s, opt);
      break;
  }
  // Counters count in the measured window only.
  host::CostedHost* costed = host->costed();
  a.calendar.schedule(a.window_start, [costed] { costed->set_counting(true); });
  a.calendar.schedule(a.window_end, [costed] { costed->set_counting(false); });
  return host;
}

}  // namespace iscsim::run
