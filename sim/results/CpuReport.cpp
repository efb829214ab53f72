#include "sim/results/CpuReport.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace iscsim::world {

namespace {

using nlohmann::json;
constexpr double kPercent = 100.0;
constexpr double kHzPerGhz = 1e9;

const char* role_name(scenario::Architecture a) { return a == scenario::Architecture::Amp ? "host" : "cpu"; }

json bin_json(const models::BinCounters& b, double window_cycles, double payload_mb, bool idle) {
  const double per = payload_mb > 0 ? 1.0 / payload_mb : 0.0;
  json cpi = (!idle && b.instr > 0) ? json(b.cycles / b.instr) : json(nullptr);
  return json{{"cycles", b.cycles * per},       {"instr", b.instr * per},
              {"clears", b.clears * per},       {"l2_misses", b.l2_misses * per},
              {"pct_cpu", window_cycles > 0 ? kPercent * b.cycles / window_cycles : 0.0},
              {"cpi", cpi}};
}

}  // namespace

// The ideal host's software costs nothing: every cycle of every CPU is idle.
nlohmann::json ideal_cpus(const scenario::Scenario& s, double window_s, double payload_mb) {
  json cpus = json::array();
  const double cycles = s.host.cpu.frequency_ghz * kHzPerGhz * window_s;
  for (int id = 0; id < s.host.cores; ++id) {
    json bins = json::object();
    for (std::string_view name : models::kBinNames) {
      const bool idle = name == models::bin_name(models::Bin::Idle);
      const double per_mb = payload_mb > 0 && idle ? cycles / payload_mb : 0.0;
      bins[std::string(name)] = json{{"cycles", per_mb}, {"instr", 0.0},        {"clears", 0.0},
                                     {"l2_misses", 0.0}, {"pct_cpu", idle ? kPercent : 0.0}, {"cpi", nullptr}};
    }
    cpus.push_back(json{{"id", id}, {"role", role_name(s.host.architecture)},
                        {"frequency_ghz", s.host.cpu.frequency_ghz}, {"bins", bins}});
  }
  return cpus;
}

json costed_cpus(const models::CpuCostModel& model, const scenario::Scenario& s, double window_s, double payload_mb) {
  json cpus = json::array();
  const double hz = s.host.cpu.frequency_ghz * kHzPerGhz;
  const double window_cycles = hz * window_s;
  const models::CodePathCatalog& catalog = model.catalog();
  for (int id = 0; id < s.host.cores; ++id) {
    models::CpuCounters c = model.counters(id);
    double busy = 0;
    for (std::size_t b = 0; b < models::kBinCount; ++b)
      if (static_cast<models::Bin>(b) != models::Bin::Idle) busy += c[b].cycles;
    models::BinCounters& idle = at(c, models::Bin::Idle);
    // Work started just before the window closed may run past it: idle never goes negative.
    idle.cycles = std::max(0.0, window_cycles - busy);
    idle.instr = idle.cycles * model.params().idle_instr_per_cycle;
    json bins = json::object();
    for (std::size_t b = 0; b < models::kBinCount; ++b)
      bins[std::string(models::kBinNames[b])] =
          bin_json(c[b], window_cycles, payload_mb, static_cast<models::Bin>(b) == models::Bin::Idle);
    json paths = json::object();
    const auto& tallies = model.tallies(id);
    for (models::PathId p = 0; p < catalog.size(); ++p) {
      const models::PathTally& t = tallies[p];
      if (t.calls == 0 && t.bytes == 0) continue;
      paths[catalog[p].name] = json{{"calls", t.calls}, {"bytes", t.bytes}, {"instr", t.instr},
                                    {"stall_cycles", t.stall_cycles}};
    }
    cpus.push_back(json{{"id", id},
                        {"role", role_name(s.host.architecture)},
                        {"frequency_ghz", s.host.cpu.frequency_ghz},
                        {"bins", bins},
                        {"paths_in_window", paths}});
  }
  return cpus;
}

double cpu_util_pct(const json& cpus) {
  double total = 0;
  for (const json& cpu : cpus)
    for (const auto& [name, b] : cpu["bins"].items())
      if (name != models::bin_name(models::Bin::Idle)) total += b["pct_cpu"].get<double>();
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
    std::snprintf(line, sizeof line, "| CPU%-2d %12s %11s %9s %10s %6s %5s ", cpu["id"].get<int>(), "cycles", "instr",
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
  std::snprintf(line, sizeof line, "throughput %.1f MB/s, CPU utilization %.1f%%, %.3f GHz/Gbps\n",
                sum["throughput_MBps"].get<double>(), sum["cpu_util_pct"].get<double>(),
                sum["ghz_per_gbps"].get<double>());
  out << line;
  return out.str();
}

}  // namespace iscsim::world
