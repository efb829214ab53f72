#include <stdexcept>

#include "sim/run/Assembly.hpp"

namespace iscsim::run {

using namespace world;  // the shared parts every run is built from

namespace {

using scenario::Scenario;

constexpr std::uint16_t kIscsiPort = 3260;           // RFC 7143 well-known port
constexpr std::uint32_t kBlockBytes = 512;
constexpr std::uint8_t kIsidQualifierByte = 5;  // ISID byte that numbers sessions per target
constexpr std::uint8_t kIsidTargetByte = 4;

stack::iscsi::OperationalPrefs prefs(const Scenario& s) {
  stack::iscsi::OperationalPrefs p;
  p.header_digest = s.iscsi.header_digest;
  p.data_digest = s.iscsi.data_digest;
  p.initial_r2t = s.iscsi.initial_r2t;
  p.immediate_data = s.iscsi.immediate_data;
  p.max_recv_data_segment_length = static_cast<std::uint32_t>(s.iscsi.max_recv_data_segment_bytes);
  p.max_burst_length = static_cast<std::uint32_t>(s.iscsi.max_burst_bytes);
  p.first_burst_length = static_cast<std::uint32_t>(s.iscsi.first_burst_bytes);
  p.max_outstanding_r2t = static_cast<std::uint32_t>(s.iscsi.max_outstanding_r2t);
  return p;
}

std::string target_name(std::size_t i) { return "iqn.2004-01.org.iscsim:ramdisk" + std::to_string(i); }

}  // namespace

void wire_iscsi(Assembly& a, const Scenario& s, const RunOptions& opt) {
  const SeedSequence seeds(s.run.seed);
  const auto ramdisk = models::RamDiskParams::from(models::ParamSet::load(opt.params_dir, "disk", s.target.ramdisk_model));
  workload::IometerConfig ic;
  ic.op = s.workload.op;
  ic.request_bytes = static_cast<std::uint32_t>(s.workload.request_bytes);
  ic.outstanding_per_worker = s.workload.outstanding_per_worker;
  ic.workers = s.workload.workers;
  ic.sequential = s.workload.sequential;
  ic.readback = s.workload.readback;
  ic.window_start = a.window_start;
  ic.window_end = a.window_end;
  ic.seed = seeds.derive(SeedPurpose::Workload, 0);
  a.iometer = std::make_unique<workload::Iometer>(ic, [&a] { return a.calendar.now(); });
  workload::Iometer& iometer = *a.iometer;
  const stack::iscsi::ChapCredential chap{s.iscsi.chap_user, s.iscsi.chap_secret};
  const int sessions = s.iscsi.sessions_per_target;

  for (std::size_t i = 0; i < a.pairs.size(); ++i) {
    stack::scsi::LunIdentity id;
    id.serial = "ISCSIM" + std::to_string(i);
    id.naa += i;
    a.devices.push_back(std::make_unique<stack::scsi::ScsiTarget>());
    a.devices.back()->add_lun(0, stack::scsi::Lun(id, static_cast<std::uint64_t>(s.target.lun_bytes), kBlockBytes));
    a.ramdisks.push_back(std::make_unique<models::RamDisk>(ramdisk));
    const std::size_t disk = iometer.add_disk(static_cast<std::uint64_t>(s.target.lun_bytes) / kBlockBytes, i);
    for (int k = 0; k < sessions; ++k) {
      const std::uint64_t n = a.connections_made++;
      const auto port = static_cast<std::uint16_t>(kInitiatorBasePort + n);
      const EndpointPair ep = make_endpoints(a, s, i, port, kIscsiPort, n, "iscsi" + std::to_string(k));

      stack::iscsi::TargetConfig tc;
      tc.identity.target_name = target_name(i);
      tc.identity.target_address = ep.target->address().src_ip.to_string() + ":" + std::to_string(kIscsiPort) + ",1";
      tc.identity.chap = chap;
      tc.prefs = prefs(s);
      tc.command_window = static_cast<std::uint32_t>(s.iscsi.command_window);
      tc.commands_at_once = static_cast<std::uint32_t>(s.target.commands_at_once);
      tc.status_in_data_in = s.iscsi.status_in_data_in;
      tc.tsih = static_cast<std::uint16_t>(k + 1);
      tc.seed = seeds.derive(SeedPurpose::Chap, 2 * n);
      a.target_links.push_back(
          std::make_unique<IscsiTargetLink>(*ep.target, tc, *a.devices.back(), *a.ramdisks.back(), a.calendar));

      stack::iscsi::InitiatorConfig icfg;
      icfg.identity.target_name = target_name(i);
      icfg.identity.isid[kIsidTargetByte] = static_cast<std::uint8_t>(i);
      icfg.identity.isid[kIsidQualifierByte] = static_cast<std::uint8_t>(k + 1);
      icfg.identity.chap = chap;
      icfg.prefs = prefs(s);
      icfg.seed = seeds.derive(SeedPurpose::Chap, 2 * n + 1);
      // Error recovery level 0: a new connection from a new ephemeral port, a new target session
      // on the same device behind it.
      stack::scsi::ScsiTarget* device = a.devices.back().get();
      models::RamDisk* timing = a.ramdisks.back().get();
      auto reconnect = [&a, &s, i, k, tc, device, timing]() mutable -> TcpEndpoint* {
        const std::uint64_t m = a.connections_made++;
        const EndpointPair again = make_endpoints(a, s, i, static_cast<std::uint16_t>(kInitiatorBasePort + m),
                                                  kIscsiPort, m, "iscsi" + std::to_string(k) + ".r" + std::to_string(m));
        tc.tsih = static_cast<std::uint16_t>(tc.tsih + a.pairs.size() * static_cast<std::size_t>(s.iscsi.sessions_per_target));
        a.target_links.push_back(std::make_unique<IscsiTargetLink>(*again.target, tc, *device, *timing, a.calendar));
        a.target_links.back()->listen();
        return again.initiator;
      };
      // The link is the path's target, so it exists before the path is added.
      const std::size_t path = a.initiator_links.size();
      a.initiator_links.push_back(
          std::make_unique<IscsiInitiatorLink>(*ep.initiator, icfg, iometer, path, a.calendar, reconnect));
      IoTarget* io = a.initiator_links.back().get();
      // dynamo's buffer: every I/O of a worker, however many are outstanding, reads into (or
      // writes from) the worker's one buffer of the largest transfer size (IOmeter's
      // Grunt::Do_IOs passes the grunt's read_data or write_data to each).
      const auto buffers = static_cast<std::uint64_t>(s.workload.request_bytes);
      if (auto bound = a.hosts[0]->bind_session(*a.initiator_links.back(), path, buffers)) {
        io = bound.get();
        a.session_paths.push_back(std::move(bound));
      }
      iometer.add_path(disk, io);
    }
  }
  try {
    iometer.plan();
  } catch (const std::invalid_argument& e) {
    throw UnsupportedScenario(s.source_file + ": " + e.what());
  }
  for (std::size_t i = 0; i < a.devices.size(); ++i) a.devices[i]->lun(0).store().set_pattern(iometer.prepare(i));
  iometer.set_on_finished([&a] {
    for (auto& l : a.initiator_links) l->logout();
  });
  for (auto& l : a.target_links) l->listen();
  for (auto& l : a.initiator_links) l->start();
  a.calendar.schedule(a.window_end, [&a] { a.iometer->end_window(); });
}

bool iscsi_finished(const Assembly& a) {
  if (!a.iometer->finished()) return false;
  for (const auto& l : a.initiator_links)
    if (!l->ended()) return false;
  return true;
}

}  // namespace iscsim::run
