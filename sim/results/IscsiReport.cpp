#include "sim/results/IscsiReport.hpp"

#include <algorithm>
#include <cmath>

#include "sim/results/TcpReport.hpp"
#include "sim/workload/BlockStamp.hpp"
#include "sim/stack/iscsi/Opcode.hpp"
#include "sim/results/Units.hpp"

namespace iscsim::world {

namespace {

using nlohmann::json;
using stack::iscsi::PduCounts;

constexpr double kNanosPerMicro = 1e3;
constexpr double kPercentiles[] = {50, 95, 99};

// Nearest-rank percentiles (and the mean) of latencies in nanoseconds, reported in microseconds.
json latency_json(std::vector<std::uint32_t> ns) {
  json out = json::object();
  if (ns.empty()) return out;
  std::sort(ns.begin(), ns.end());
  double sum = 0;
  for (std::uint32_t v : ns) sum += v;
  for (double p : kPercentiles) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(ns.size())));
    out["p" + std::to_string(static_cast<int>(p))] = ns[std::max<std::size_t>(rank, 1) - 1] / kNanosPerMicro;
  }
  out["mean"] = sum / static_cast<double>(ns.size()) / kNanosPerMicro;
  return out;
}

// PDUs sent plus received by the initiator, by opcode name (INTERFACE.md: iscsi.pdus.<opcode>).
json pdus_json(const PduCounts& c) {
  json out = json::object();
  for (std::size_t v = 0; v < PduCounts::kOpcodes; ++v) {
    const auto op = stack::iscsi::opcode_from(static_cast<std::uint8_t>(v));
    const std::uint64_t n = c.sent[v] + c.received[v];
    if (op && n > 0) out[std::string(stack::iscsi::opcode_name(*op))] = n;
  }
  return out;
}

}  // namespace

WorkloadFigures iscsi_results(const RunRecord& r, json& results) {
  const double window_s = r.scenario->run.duration_s;
  const workload::Iometer& io = *r.iometer;
  WorkloadFigures total;
  json integrity{{"verified_blocks", 0}, {"corrupt_blocks", 0}, {"io_errors", 0}, {"readback_ios", 0},
                 {"block_bytes", workload::kStampBlockBytes}};
  std::vector<std::uint32_t> all_latency;
  json targets = json::array();
  const std::size_t per_target = r.initiator_links.size() / std::max<std::size_t>(io.disks().size(), 1);
  PduCounts all_pdus;
  std::uint64_t r2ts = 0, logins = 0, reissued = 0, reconnects = 0;
  for (std::size_t d = 0; d < io.disks().size(); ++d) {
    const workload::DiskStats& s = io.disks()[d];
    total.window_bytes += s.window_bytes;
    total.window_ios += s.window_ios;
    integrity["verified_blocks"] = integrity["verified_blocks"].get<std::uint64_t>() + s.verified_blocks;
    integrity["corrupt_blocks"] = integrity["corrupt_blocks"].get<std::uint64_t>() + s.corrupt_blocks;
    integrity["io_errors"] = integrity["io_errors"].get<std::uint64_t>() + s.io_errors;
    integrity["readback_ios"] = integrity["readback_ios"].get<std::uint64_t>() + s.readback_ios;
    all_latency.insert(all_latency.end(), s.window_latency_ns.begin(), s.window_latency_ns.end());
    PduCounts target_pdus;
    json sessions = json::array();
    for (std::size_t k = d * per_target; k < (d + 1) * per_target && k < r.initiator_links.size(); ++k) {
      const auto& session = r.initiator_links[k]->session();
      target_pdus.add(session.counts());
      r2ts += session.stats().r2ts;
      logins += session.stats().logins;
      reissued += session.stats().reissued;
      reconnects += r.initiator_links[k]->reconnects();
      const auto& p = session.params();
      sessions.push_back(json{{"name", r.initiator_links[k]->endpoint().name()},
                              {"r2ts", session.stats().r2ts},
                              {"logins", session.stats().logins},
                              {"reissued", session.stats().reissued},
                              {"reconnects", r.initiator_links[k]->reconnects()},
                              {"failure", session.failure()},
                              {"negotiated", json{{"max_recv_data_segment_length_initiator", p.initiator_max_recv_data_segment},
                                                  {"max_recv_data_segment_length_target", p.target_max_recv_data_segment},
                                                  {"max_burst_length", p.max_burst_length},
                                                  {"first_burst_length", p.first_burst_length},
                                                  {"immediate_data", p.immediate_data},
                                                  {"initial_r2t", p.initial_r2t},
                                                  {"max_outstanding_r2t", p.max_outstanding_r2t},
                                                  {"header_digest", p.digests.header},
                                                  {"data_digest", p.digests.data}}}});
    }
    all_pdus.add(target_pdus);
    // The target machine's CPUs over the whole run, as the buses' utilization.
    json cpu_busy = nullptr;
    if (d < r.target_timings.size() && r.end_time > 0) {
      const double run_s = models::seconds_from_picos(r.end_time);
      cpu_busy = json{{"thread", kPercent * models::seconds_from_picos(r.target_timings[d]->busy_total()) / run_s},
                      {"interrupt", kPercent * models::seconds_from_picos(r.target_timings[d]->interrupt_busy_total()) / run_s}};
    }
    targets.push_back(json{{"name", "target" + std::to_string(d)},
                           {"cpu_busy_pct", cpu_busy},
                           {"throughput_MBps", static_cast<double>(s.window_bytes) / window_s / kBytesPerMB},
                           {"iops", static_cast<double>(s.window_ios) / window_s},
                           {"latency_us", latency_json(s.window_latency_ns)},
                           {"verified_blocks", s.verified_blocks},
                           {"corrupt_blocks", s.corrupt_blocks},
                           {"io_errors", s.io_errors},
                           {"pdus", pdus_json(target_pdus)},
                           {"sessions", sessions}});
  }
  integrity["complete"] = r.completed;
  results["integrity"] = integrity;
  results["iscsi"] = json{{"pdus", pdus_json(all_pdus)},
                          {"pdu_bytes_sent", all_pdus.bytes_sent},
                          {"pdu_bytes_received", all_pdus.bytes_received},
                          {"r2ts", r2ts},
                          {"logins", logins},
                          {"reissued", reissued},
                          {"reconnects", reconnects},
                          {"latency_us", latency_json(std::move(all_latency))}};
  results["targets"] = targets;

  json tcp_total = tcp_stats(stack::tcp::Stats{});
  json connections = json::array();
  for (const auto& [initiator_end, target_end] : r.connections) {
    const json init = connection_json(*initiator_end, window_s, 0);
    const json target = connection_json(*target_end, window_s, 0);
    add_tcp_totals(tcp_total, init);
    add_tcp_totals(tcp_total, target);
    connections.push_back(json{{"initiator", init}, {"target", target}});
  }
  tcp_total["connections"] = connections;
  results["tcp"] = tcp_total;
  return total;
}

}  // namespace iscsim::world
