// The one place that knows every host architecture: it builds the initiator the scenario names.
// Adding an architecture is a folder under sim/host/ and a case here.
#include <memory>

#include "sim/host/IdealHost.hpp"
#include "sim/host/smp/SmpHost.hpp"
#include "sim/run/Assembly.hpp"

namespace iscsim::run {

namespace {

using scenario::Scenario;

constexpr double kHzPerGhz = 1e9;

// A catalog name under models/params/paths/, or a path to a .json file (calibration's trials).
std::string catalog_path(const std::string& params_dir, const std::string& name) {
  const std::string suffix = ".json";
  const bool is_file = name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  return is_file ? name : params_dir + "/paths/" + name + ".json";
}

std::unique_ptr<host::Host> make_smp(Assembly& a, const Scenario& s, const RunOptions& opt) {
  host::smp::SmpConfig c;
  c.cpus = s.host.cores;
  c.hz = s.host.cpu.frequency_ghz * kHzPerGhz;
  c.routing = s.host.irq_routing;
  c.socket_buffer_bytes = static_cast<std::uint32_t>(s.tcp.initiator_socket_buffer_bytes);
  c.rx_ring = static_cast<std::uint32_t>(s.nics.rx_ring);
  c.tx_ring = static_cast<std::uint32_t>(s.nics.tx_ring);
  return std::make_unique<host::smp::SmpHost>(
      "initiator", a.calendar, *a.memory_buses[0],
      models::CpuParams::from(models::ParamSet::load(opt.params_dir, "cpu", s.host.cpu.model)),
      models::CacheGeometry::from(models::ParamSet::load(opt.params_dir, "cache", s.host.cache_model)),
      models::CodePathCatalog::load(catalog_path(opt.params_dir, s.host.code_paths)),
      host::kernel::KernelObjects::from(models::ParamSet::load(opt.params_dir, "kernel", s.host.kernel_objects)), c);
}

}  // namespace

std::unique_ptr<host::Host> make_initiator(Assembly& a, const Scenario& s, const RunOptions& opt) {
  const bool bulk = s.workload.type == scenario::WorkloadType::Bulk;
  std::unique_ptr<host::Host> host;
  switch (s.host.architecture) {
    case scenario::Architecture::Ideal:
      return std::make_unique<host::IdealHost>("initiator");
    case scenario::Architecture::Smp:
      if (bulk)
        throw UnsupportedScenario(s.source_file + ": workload.type: \"bulk\" runs on the ideal host only; with "
                                  "host.architecture \"smp\" use workload.type \"iometer\"");
      host = make_smp(a, s, opt);
      break;
    case scenario::Architecture::Amp:
      throw UnsupportedScenario(s.source_file + ": host.architecture: \"amp\" is not simulated in this version; "
                                "allowed: ideal, smp");
  }
  // Counters count in the measured window only.
  host::CostedHost* costed = host->costed();
  a.calendar.schedule(a.window_start, [costed] { costed->set_counting(true); });
  a.calendar.schedule(a.window_end, [costed] { costed->set_counting(false); });
  return host;
}

}  // namespace iscsim::run
