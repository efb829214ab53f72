#include "sim/results/RunReport.hpp"

#include <sstream>

#include "models/cpu/Bin.hpp"
#include "sim/results/CpuReport.hpp"
#include "sim/results/IscsiReport.hpp"
#include "sim/results/TcpReport.hpp"
#include "sim/results/Units.hpp"

namespace iscsim::world {

namespace {

using nlohmann::json;

constexpr double kBitsPerGbit = 1e9;
constexpr double kBitsPerByte = 8.0;

// netperf-like transfers: integrity from the stream pattern, TCP per connection.
WorkloadFigures bulk_results(const RunRecord& r, json& results) {
  const double window_s = r.scenario->run.duration_s;
  std::uint64_t window_bytes = 0;
  json integrity{{"verified_blocks", 0}, {"corrupt_blocks", 0}, {"bytes_written", 0}, {"bytes_read", 0},
                 {"mismatched_bytes", 0}, {"block_bytes", workload::BulkTransfer::kBlockBytes}};
  json connections = json::array();
  json tcp_total = tcp_stats(stack::tcp::Stats{});
  for (const workload::BulkTransfer* t : r.transfers) {
    const workload::BulkStats& b = t->stats();
    window_bytes += b.window_bytes;
    integrity["verified_blocks"] = integrity["verified_blocks"].get<std::uint64_t>() + b.verified_blocks;
    integrity["corrupt_blocks"] = integrity["corrupt_blocks"].get<std::uint64_t>() + b.corrupt_blocks;
    integrity["bytes_written"] = integrity["bytes_written"].get<std::uint64_t>() + b.bytes_written;
    integrity["bytes_read"] = integrity["bytes_read"].get<std::uint64_t>() + b.bytes_read;
    integrity["mismatched_bytes"] = integrity["mismatched_bytes"].get<std::uint64_t>() + b.mismatched_bytes;
    json sender = connection_json(t->sender(), window_s, 0);
    json receiver = connection_json(t->receiver(), window_s, b.window_bytes);
    sender.erase("goodput_MBps");
    add_tcp_totals(tcp_total, sender);
    add_tcp_totals(tcp_total, receiver);
    connections.push_back(json{{"sender", sender}, {"receiver", receiver}});
  }
  integrity["complete"] = r.completed;
  results["integrity"] = integrity;
  tcp_total["connections"] = connections;
  results["tcp"] = tcp_total;
  return WorkloadFigures{window_bytes, 0};
}

}  // namespace

json build_results(const RunRecord& r) {
  const scenario::Scenario& s = *r.scenario;
  const double window_s = s.run.duration_s;
  json results;
  results["scenario"] = s.resolved;

  const WorkloadFigures w = r.iometer ? iscsi_results(r, results) : bulk_results(r, results);
  const std::uint64_t window_bytes = w.window_bytes;

  json nics = json::array();
  for (const NicPort* p : r.ports) {
    const models::NicCounters& c = p->nic().counters();
    const models::NicDriverSettings& d = p->nic().programmed();
    const FaultCounters& f = p->faults();
    nics.push_back(json{{"name", p->name()},
                        {"interrupts", c.interrupts},
                        {"interrupts_per_s", static_cast<double>(c.interrupts) / models::seconds_from_picos(r.end_time)},
                        {"rxdmt0_interrupts", c.rxdmt0_interrupts},
                        {"moderation", json{{"itr_ints_per_s", d.itr_ints_per_s},
                                            {"rdtr_us", models::micros_from_picos(d.rdtr)},
                                            {"radv_us", models::micros_from_picos(d.radv)},
                                            {"tidv_us", models::micros_from_picos(d.tidv)},
                                            {"tadv_us", models::micros_from_picos(d.tadv)}}},
                        {"tx_frames", c.tx_frames},
                        {"tx_descriptors", c.tx_descriptors},
                        {"tx_bytes", c.tx_bytes},
                        {"rx_frames", c.rx_frames},
                        {"rx_bytes", c.rx_bytes},
                        {"rx_overruns", c.rx_overruns},
                        {"wire_faults", json{{"lost", f.lost}, {"corrupted", f.corrupted},
                                             {"reordered", f.reordered}, {"duplicated", f.duplicated},
                                             {"silently_corrupted", f.silently_corrupted}}}});
  }
  results["nics"] = nics;

  json hosts = json::array();
  for (const host::Host* h : r.hosts)
    hosts.push_back(json{{"name", h->name()},
                         {"rx_bad_frames", h->receive_errors().bad_frames},
                         {"rx_no_endpoint", h->receive_errors().no_endpoint},
                         {"qdisc_peak_frames", h->qdisc_peak()}});
  results["hosts"] = hosts;

  const double end_s = models::seconds_from_picos(r.end_time);
  json buses = json::object();
  buses["pci"] = json::array();
  for (const models::PciBus* b : r.pci_buses)
    buses["pci"].push_back(json{{"bytes_read", b->bytes_read()}, {"bytes_written", b->bytes_written()},
                                {"utilization_pct", kPercent * models::seconds_from_picos(b->busy_total()) / end_s}});
  buses["memory"] = json::array();
  for (const models::MemoryBus* b : r.memory_buses)
    buses["memory"].push_back(json{{"lines", b->lines()},
                                   {"utilization_pct", kPercent * models::seconds_from_picos(b->busy_total()) / end_s}});
  results["buses"] = buses;

  const double throughput = static_cast<double>(window_bytes) / window_s / kBytesPerMB;
  const double payload_mb = static_cast<double>(window_bytes) / kBytesPerMB;
  const double gbps = throughput * kBytesPerMB * kBitsPerByte / kBitsPerGbit;
  const double ghz = s.host.cpu.frequency_ghz;
  // Figures that do not apply are null: the ideal host has no CPUs to measure, only an AMP host
  // has packet engines to count as dedicated, and nothing costs per Gbps when nothing moved.
  json util = nullptr, cost = nullptr, dedicated = nullptr, dedicated_cost = nullptr;
  results["cpus"] = json::array();
  results["threads"] = json::array();
  if (r.costed) {
    results["cpus"] = costed_cpus(*r.costed, s, window_s, payload_mb);
    results["threads"] = costed_threads(*r.costed, s, window_s);
    results["host"] = r.costed->stats();
    const double util_pct = cpu_util_pct(results["cpus"]);
    util = util_pct;
    if (gbps > 0) cost = util_pct / kPercent * ghz / gbps;
    if (s.host.architecture == scenario::Architecture::Amp) {
      const double dedicated_pct = cpu_dedicated_pct(results["cpus"]);
      dedicated = dedicated_pct;
      if (gbps > 0) dedicated_cost = dedicated_pct / kPercent * ghz / gbps;
    }
  }
  results["summary"] = json{{"sim_time_s", window_s},
                            {"end_time_s", end_s},
                            {"throughput_MBps", throughput},
                            {"iops", static_cast<double>(w.window_ios) / window_s},
                            {"cpu_util_pct", util},
                            {"ghz_per_gbps", cost},
                            {"cpu_dedicated_pct", dedicated},
                            {"ghz_per_gbps_dedicated", dedicated_cost}};
  if (r.iometer) results["summary"]["latency_us"] = results["iscsi"]["latency_us"];
  return results;
}

std::string bins_csv(const json& results) {
  std::ostringstream out;
  out << "scenario,cpu,role,bin,counter,value\n";
  const std::string name = results["scenario"].value("name", "");
  for (const json& cpu : results["cpus"]) {
    for (std::string_view bin : models::kBinNames) {
      const auto row = [&](const std::string& counter, const json& value) {
        out << name << ',' << cpu["id"].get<int>() << ',' << cpu["role"].get<std::string>() << ',' << bin << ','
            << counter << ',';
        if (!value.is_null()) out << value.dump();
        out << '\n';
      };
      // A split counter (clears_by_cause) gives a row per part: "clears_by_cause.interrupt".
      for (const auto& [counter, value] : cpu["bins"][std::string(bin)].items())
        if (value.is_object())
          for (const auto& [part, v] : value.items()) row(counter + "." + part, v);
        else
          row(counter, value);
    }
  }
  return out.str();
}

}  // namespace iscsim::world
