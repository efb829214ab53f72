#include "sim/compare/CompareReport.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "models/cpu/Bin.hpp"

namespace iscsim::compare {

namespace {

using nlohmann::json;

json optional_json(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::string csv_cell(const std::optional<double>& v) { return v ? json(*v).dump() : ""; }

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string percent_cell(const std::optional<double>& v) { return v ? format("%+.2f%%", *v) : "n/a"; }

const std::map<std::string, std::string>& metric_labels() {
  static const std::map<std::string, std::string> labels{
      {"throughput_MBps", "throughput (MB/s)"},      {"iops", "IOPS (1/s)"},
      {"cpu_util_pct", "CPU utilization (%)"},        {"ghz_per_gbps", "cost (GHz/Gbps)"},
      {"cpu_dedicated_pct", "CPU dedicated (%)"},     {"ghz_per_gbps_dedicated", "cost dedicated (GHz/Gbps)"}};
  return labels;
}

const RoleSubtotal* find_role(const std::vector<RoleSubtotal>& roles, const std::string& role) {
  for (const RoleSubtotal& s : roles)
    if (s.role == role) return &s;
  return nullptr;
}

// Every role of either run, BASE's first, each once.
std::vector<std::string> all_roles(const Comparison& c) {
  std::vector<std::string> roles;
  for (const auto* side : {&c.base_roles, &c.other_roles})
    for (const RoleSubtotal& s : *side)
      if (std::find(roles.begin(), roles.end(), s.role) == roles.end()) roles.push_back(s.role);
  return roles;
}

json roles_json(const std::vector<RoleSubtotal>& roles) {
  json out = json::array();
  for (const RoleSubtotal& s : roles) {
    json bins = json::array();
    for (std::string_view name : models::kBinNames) {
      json b{{"bin", std::string(name)}};
      for (const auto& [counter, value] : s.bins.at(std::string(name))) b[counter] = value;
      bins.push_back(b);
    }
    out.push_back(json{{"role", s.role}, {"cpus", s.cpus}, {"bins", bins}});
  }
  return out;
}

void role_block(std::ostringstream& out, const char* side, const RoleSubtotal& s) {
  out << side << " " << s.role << " (" << s.cpus << " CPU" << (s.cpus == 1 ? "" : "s") << ", summed, per MB):\n";
  char line[160];
  std::snprintf(line, sizeof line, "  %-10s %14s %12s %10s %8s\n", "bin", "cycles", "L2 misses", "clears", "%CPU");
  out << line;
  for (std::string_view name : models::kBinNames) {
    const auto& b = s.bins.at(std::string(name));
    std::snprintf(line, sizeof line, "  %-10s %14.0f %12.0f %10.0f %7.1f%%\n", std::string(name).c_str(),
                  b.at("cycles"), b.at("l2_misses"), b.at("clears"), b.at("pct_cpu"));
    out << line;
  }
}

}  // namespace

std::string comparison_text(const Comparison& c) {
  std::ostringstream out;
  char line[200];
  out << "Table 2: " << c.other_label << " (OTHER) over " << c.base_label << " (BASE); workload "
      << c.workload.value("op", json()).dump() << ", " << c.workload.value("request_bytes", json()).dump() << " B, "
      << format("%g", c.frequency_ghz) << " GHz\n"
      << "% improvement = (bin_BASE / total_BASE) x (1 - bin_OTHER / bin_BASE), all CPUs summed, total_BASE "
         "with idle; n/a: the bin is 0 in BASE\n";
  std::snprintf(line, sizeof line, "%-10s %10s %10s %10s | %14s %14s %11s %11s %9s %9s\n", "bin", "cycles",
                "L2 misses", "clears", "cycles BASE", "cycles OTHER", "L2 BASE", "L2 OTHER", "clr BASE", "clr OTHER");
  out << line;
  for (const Table2Row& r : c.rows) {
    const auto& k = r.counters;
    std::snprintf(line, sizeof line, "%-10s %10s %10s %10s | %14.0f %14.0f %11.0f %11.0f %9.0f %9.0f\n", r.bin.c_str(),
                  percent_cell(k[0].improvement_pct).c_str(), percent_cell(k[1].improvement_pct).c_str(),
                  percent_cell(k[2].improvement_pct).c_str(), k[0].base, k[0].other, k[1].base, k[1].other, k[2].base,
                  k[2].other);
    out << line;
  }
  std::snprintf(line, sizeof line, "total_BASE with idle, per MB: %.0f cycles, %.0f L2 misses, %.0f clears\n\n",
                c.base_totals[0].base, c.base_totals[1].base, c.base_totals[2].base);
  out << line;

  if (c.roles_differ) {
    for (const RoleSubtotal& s : c.base_roles) role_block(out, "BASE", s);
    for (const RoleSubtotal& s : c.other_roles) role_block(out, "OTHER", s);
    out << "\n";
  }

  std::snprintf(line, sizeof line, "%-27s %12s %12s %10s\n", "", "BASE", "OTHER", "change");
  out << line;
  for (const SummaryComparison& s : c.summary) {
    if (!s.base && !s.other) continue;  // e.g. the dedicated view of two SMP runs
    std::snprintf(line, sizeof line, "%-27s %12s %12s %10s\n", metric_labels().at(s.metric).c_str(),
                  s.base ? format("%.3f", *s.base).c_str() : "n/a", s.other ? format("%.3f", *s.other).c_str() : "n/a",
                  percent_cell(s.change_pct).c_str());
    out << line;
  }
  return out.str();
}

json comparison_json(const Comparison& c) {
  json rows = json::array();
  for (const Table2Row& r : c.rows) {
    json row{{"bin", r.bin}};
    for (const CounterComparison& k : r.counters)
      row[k.counter] = json{{"base", k.base}, {"other", k.other}, {"improvement_pct", optional_json(k.improvement_pct)}};
    rows.push_back(row);
  }
  json totals = json::object();
  for (const CounterComparison& k : c.base_totals) totals[k.counter] = k.base;
  json summary = json::object();
  for (const SummaryComparison& s : c.summary)
    summary[s.metric] = json{{"base", optional_json(s.base)},
                             {"other", optional_json(s.other)},
                             {"change_pct", optional_json(s.change_pct)}};
  return json{
      {"base", json{{"path", c.base_path}, {"label", c.base_label}, {"scenario", c.base_scenario}}},
      {"other", json{{"path", c.other_path}, {"label", c.other_label}, {"scenario", c.other_scenario}}},
      {"workload", c.workload},
      {"frequency_ghz", c.frequency_ghz},
      {"formula",
       "improvement_pct = 100 x (bin_BASE / total_BASE) x (1 - bin_OTHER / bin_BASE); counters per MB of payload "
       "summed over all CPUs; total_BASE includes idle; null where bin_BASE is 0"},
      {"counters", kCounters},
      {"table2", rows},
      {"base_totals_with_idle", totals},
      {"roles_differ", c.roles_differ},
      {"roles", json{{"base", roles_json(c.base_roles)}, {"other", roles_json(c.other_roles)}}},
      {"summary", summary}};
}

std::string comparison_csv(const Comparison& c) {
  std::ostringstream out;
  out << "section,role,bin,counter,base,other,improvement_pct,change_pct\n";
  for (const Table2Row& r : c.rows)
    for (const CounterComparison& k : r.counters)
      out << "table2,all," << r.bin << ',' << k.counter << ',' << csv_cell(k.base) << ',' << csv_cell(k.other) << ','
          << csv_cell(k.improvement_pct) << ",\n";
  for (const CounterComparison& k : c.base_totals)
    out << "base_total,all,all," << k.counter << ',' << csv_cell(k.base) << ",,,\n";
  for (const std::string& role : all_roles(c)) {
    const RoleSubtotal* a = find_role(c.base_roles, role);
    const RoleSubtotal* b = find_role(c.other_roles, role);
    for (std::string_view name : models::kBinNames) {
      const std::string bin(name);
      for (const auto& entry : (a ? a : b)->bins.at(bin)) {
        const std::string& counter = entry.first;
        const auto side = [&](const RoleSubtotal* s) {
          return s ? std::optional<double>(s->bins.at(bin).at(counter)) : std::nullopt;
        };
        out << "role," << role << ',' << bin << ',' << counter << ',' << csv_cell(side(a)) << ',' << csv_cell(side(b))
            << ",,\n";
      }
    }
  }
  for (const SummaryComparison& s : c.summary)
    out << "summary,,," << s.metric << ',' << csv_cell(s.base) << ',' << csv_cell(s.other) << ",,"
        << csv_cell(s.change_pct) << '\n';
  return out.str();
}

}  // namespace iscsim::compare
