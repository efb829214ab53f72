#include "sim/results/CpuReport.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include "sim/results/Units.hpp"

namespace iscsim::world {

namespace {

using nlohmann::json;
constexpr double kHzPerGhz = 1e9;

json bin_json(const models::BinCounters& b, double window_cycles, double payload_mb, bool idle) {
  const double per = payload_mb > 0 ? 1.0 / payload_mb : 0.0;
  json cpi = (!idle && b.instr > 0) ? json(b.cycles / b.instr) : json(nullptr);
  json causes = json::object();
  for (std::size_t i = 0; i < models::kClearCauseCount; ++i) causes[models::kClearCauseNames[i]] = b.clears_by_cause[i] * per;
  return json{{"cycles", b.cycles * per},       {"instr", b.instr * per},
              {"clears", b.clears * per},       {"clears_by_cause", causes},
              {"l2_misses", b.l2_misses * per}, {"cache_to_cache_lines", b.cache_to_cache_lines * per},
              {"pct_cpu", window_cycles > 0 ? kPercent * b.cycles / window_cycles : 0.0},
              {"cpi", cpi}};
}

// The cycles of every CPU in the window (the paper's CPUs share one clock).
double window_cycles_of(const scenario::Scenario& s, double window_s) {
  return s.host.cpu.frequency_ghz * kHzPerGhz * window_s;
}

}  // namespace

json costed_cpus(const host::CostedHost& host, const scenario::Scenario& s, double window_s, double payload_mb) {
  json cpus = json::array();
  const double window_cycles = window_cycles_of(s, window_s);
  const models::CpuCostModel& model = host.cost();
  const models::CodePathCatalog& catalog = model.catalog();
  for (int id = 0; id < host.cpu_count(); ++id) {
    models::CpuCounters c = model.counters(id);
    double busy = 0;
    for (std::size_t b = 0; b < models::kBinCount; ++b)
      if (static_cast<models::Bin>(b) != models::Bin::Idle) busy += c[b].cycles;
    models::BinCounters& idle = at(c, models::Bin::Idle);
    // Work started just before the window closed may run past it: idle never goes negative.
    idle.cycles = std::max(0.0, window_cycles - busy);
    idle.instr = host.idle_instructions(id, idle.cycles);
    json bins = json::object();
    for (std::size_t b = 0; b < models::kBinCount; ++b)
      bins[std::string(models::kBinNames[b])] =
          bin_json(c[b], window_cycles, payload_mb, static_cast<models::Bin>(b) == models::Bin::Idle);
    json paths = json::object();
    const auto& tallies = model.tallies(id);
    for (models::PathId p = 0; p < catalog.size(); ++p) {
      const models::PathTally& t = tallies[p];
      if (t.calls == 0 && t.bytes == 0 && t.clears == 0) continue;
      paths[catalog[p].name] = json{{"calls", t.calls},         {"bytes", t.bytes},
                                    {"instr", t.instr},         {"cycles", t.cycles},
                                    {"stall_cycles", t.stall_cycles}, {"l2_misses", t.l2_misses},
                                    {"cache_to_cache_lines", t.cache_to_cache_lines},
                                    {"clears", t.clears}};
    }
    const host::CpuEvents e = host.events(id);
    cpus.push_back(json{{"id", id},
                        {"role", host::role_name(host.role(id))},
                        {"frequency_ghz", s.host.cpu.frequency_ghz},
                        {"events", json{{"interrupts", e.interrupts},
                                        {"ipis", e.ipis},
                                        {"context_switches", e.context_switches},
                                        {"preemptions", e.preemptions},
                                        {"profiler_samples", e.profiler_samples}}},
                        {"bins", bins},
                        {"paths_in_window", paths}});
  }
  return cpus;
}

json costed_threads(const host::CostedHost& host, const scenario::Scenario& s, double window_s) {
  const double window_cycles = window_cycles_of(s, window_s);
  json threads = json::array();
  for (const host::ThreadUsage& t : host.threads()) {
    json pct = json::array();
    for (int cpu = 0; cpu < host.cpu_count(); ++cpu) {
      const auto i = static_cast<std::size_t>(cpu);
      pct.push_back(i < t.cycles.size() && window_cycles > 0 ? kPercent * t.cycles[i] / window_cycles : 0.0);
    }
    threads.push_back(json{{"name", t.name}, {"pct_cpu", pct}, {"runs", t.runs}, {"migrations", t.migrations}});
  }
  return threads;
}

double cpu_util_pct(const json& cpus) {
  double total = 0;
  for (const json& cpu : cpus)
    for (const auto& [name, b] : cpu["bins"].items())
      if (name != models::bin_name(models::Bin::Idle)) total += b["pct_cpu"].get<double>();
  return total;
}

double cpu_dedicated_pct(const json& cpus) {
  double total = cpu_util_pct(cpus);
  for (const json& cpu : cpus)
    if (cpu["role"] == host::role_name(host::CpuRole::Ppe))
      total += cpu["bins"][std::string(models::bin_name(models::Bin::Idle))]["pct_cpu"].get<double>();
  return total;
}

std::string table1_text(const json& results) {
  std::ostringstream out;
  const json& cpus = results["cpus"];
  out << "Per-CPU characterization (normalized per MB of payload): " << results["scenario"].value("name", "") << "\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-15s", "");
  out << line;
  for (const json& cpu : cpus) {
    const std::string label = "CPU" + std::to_string(cpu["id"].get<int>()) + " " + cpu["role"].get<std::string>();
    std::snprintf(line, sizeof line, "| %-9s %8s %11s %9s %10s %6s %5s ", label.c_str(), "cycles", "instr",
                  "clears", "L2 misses", "%CPU", "CPI");
    out << line;
  }
  out << "\n";
  for (std::string_view bin : models::kBinNames) {
    std::snprintf(line, sizeof line, "%-15s", std::string(bin).c_str());
    out << line;
    for (const json& cpu : cpus) {
      const json& b = cpu["bins"][std::string(bin)];
      std::string cpi = b["cpi"].is_null() ? "" : std::to_string(b["cpi"].get<double>()).substr(0, 4);
      std::snprintf(line, sizeof line, "| %18.0f %11.0f %9.0f %10.0f %5.1f%% %5s ", b["cycles"].get<double>(),
                    b["instr"].get<double>(), b["clears"].get<double>(), b["l2_misses"].get<double>(),
                    b["pct_cpu"].get<double>(), cpi.c_str());
      out << line;
    }
    out << "\n";
  }
  const json& sum = results["summary"];
  const auto number = [](const json& v) { return v.is_number() ? v.get<double>() : 0.0; };
  std::snprintf(line, sizeof line, "throughput %.1f MB/s, CPU utilization %.1f%%, %.3f GHz/Gbps\n",
                sum["throughput_MBps"].get<double>(), number(sum["cpu_util_pct"]), number(sum["ghz_per_gbps"]));
  out << line;
  if (sum["cpu_dedicated_pct"].is_number()) {
    std::snprintf(line, sizeof line, "dedicated (PPEs counted fully busy): CPU %.1f%%, %.3f GHz/Gbps\n",
                  number(sum["cpu_dedicated_pct"]), number(sum["ghz_per_gbps_dedicated"]));
    out << line;
  }
  return out.str();
}

}  // namespace iscsim::world
