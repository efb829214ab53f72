#include "sim/sweep/Tables.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/results/OutputDir.hpp"

namespace iscsim::sweep {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// results.json summary keys, in the order of the table's columns.
const std::vector<std::string> kMetrics{"throughput_MBps",   "iops",           "cpu_util_pct",
                                        "ghz_per_gbps",      "cpu_dedicated_pct", "ghz_per_gbps_dedicated",
                                        "sim_time_s"};
// results.json run_info keys: what may differ between two runs of the same point.
const std::vector<std::string> kRunInfo{"wall_time_s", "host"};
const std::string kSeedKey = "run.seed";
// Fields of a bins.csv row after its first (the scenario name, which may hold commas).
constexpr std::size_t kBinsFieldsAfterScenario = 5;

struct Record {
  const Point* point;
  PointStatus status;
  json results;  // Ok only
  Failure failure;
};

const char* status_name(PointStatus s) {
  switch (s) {
    case PointStatus::Ok: return "ok";
    case PointStatus::Failed: return "failed";
    case PointStatus::NotRun: return "not_run";
  }
  return "";
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + csv_field(fields[i]);
  return line + "\n";
}

json metric(const Record& r, const std::string& key) {
  if (r.status != PointStatus::Ok) return nullptr;
  const json& summary = r.results.value("summary", json::object());
  return summary.contains(key) ? summary[key] : json(nullptr);
}

std::string sweep_csv(const SweepSpec& spec, const std::vector<Record>& records) {
  std::vector<std::string> header{"point"};
  for (const std::string& k : spec.axis_keys()) header.push_back(k);
  for (const std::string& m : kMetrics) header.push_back(m);
  for (const char* c : {"status", "exit_status", "error"}) header.emplace_back(c);
  for (const std::string& k : kRunInfo) header.push_back("run_info." + k);
  std::string out = row(header);
  for (const Record& r : records) {
    std::vector<std::string> f{r.point->id};
    for (const auto& [key, value] : r.point->axes) f.push_back(value_text(value));
    for (const std::string& m : kMetrics) f.push_back(value_text(metric(r, m)));
    f.emplace_back(status_name(r.status));
    f.push_back(r.status == PointStatus::Failed ? std::to_string(r.failure.exit_status) : "");
    f.push_back(r.status == PointStatus::Failed ? r.failure.error : "");
    const json info = r.status == PointStatus::Ok ? r.results.value("run_info", json::object()) : json::object();
    for (const std::string& k : kRunInfo) f.push_back(value_text(info.value(k, json(nullptr))));
    out += row(f);
  }
  return out;
}

std::string sweep_bins_csv(const std::vector<Record>& records, const SweepDir& dir) {
  std::string out = "point,cpu,role,bin,counter,value\n";
  for (const Record& r : records) {
    if (r.status != PointStatus::Ok) continue;
    std::istringstream bins(read_text(fs::path(dir.point_dir(r.point->id)) / "bins.csv"));
    std::string line;
    std::getline(bins, line);  // header
    while (std::getline(bins, line)) {
      if (line.empty()) continue;
      std::size_t cut = line.size();
      for (std::size_t n = 0; n < kBinsFieldsAfterScenario && cut != std::string::npos; ++n)
        cut = cut == 0 ? std::string::npos : line.rfind(',', cut - 1);
      if (cut == std::string::npos)
        throw std::runtime_error(dir.point_dir(r.point->id) + "/bins.csv: malformed row \"" + line + "\"");
      out += csv_field(r.point->id) + line.substr(cut) + "\n";
    }
  }
  return out;
}

std::string sweep_summary_csv(const SweepSpec& spec, const std::vector<Record>& records) {
  std::vector<std::string> group_keys;
  for (const std::string& k : spec.axis_keys())
    if (k != kSeedKey) group_keys.push_back(k);
  // Groups in the order their first point appears.
  std::vector<std::pair<json, std::vector<const Record*>>> groups;
  for (const Record& r : records) {
    json key = json::array();
    for (const auto& [k, v] : r.point->axes)
      if (k != kSeedKey) key.push_back(v);
    const auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
    if (it == groups.end())
      groups.push_back({key, {&r}});
    else
      it->second.push_back(&r);
  }

  std::vector<std::string> header = group_keys;
  header.insert(header.end(), {"repetitions", "ok"});
  for (const std::string& m : kMetrics)
    for (const char* stat : {"_mean", "_min", "_max"}) header.push_back(m + stat);
  std::string out = row(header);
  for (const auto& [key, members] : groups) {
    std::vector<std::string> f;
    for (const json& v : key) f.push_back(value_text(v));
    const auto ok = std::count_if(members.begin(), members.end(), [](const Record* r) { return r->status == PointStatus::Ok; });
    f.push_back(std::to_string(members.size()));
    f.push_back(std::to_string(ok));
    for (const std::string& m : kMetrics) {
      std::vector<json> values;
      for (const Record* r : members) {
        const json v = metric(*r, m);
        if (v.is_number()) values.push_back(v);
      }
      if (values.empty()) {
        f.insert(f.end(), 3, "");
        continue;
      }
      double sum = 0;
      for (const json& v : values) sum += v.get<double>();
      const auto less = [](const json& a, const json& b) { return a.get<double>() < b.get<double>(); };
      f.push_back(json(sum / static_cast<double>(values.size())).dump());
      f.push_back(std::min_element(values.begin(), values.end(), less)->dump());
      f.push_back(std::max_element(values.begin(), values.end(), less)->dump());
    }
    out += row(f);
  }
  return out;
}

std::string failures_csv(const std::vector<Record>& records) {
  std::string out = "point,exit_status,error\n";
  for (const Record& r : records)
    if (r.status == PointStatus::Failed) out += row({r.point->id, std::to_string(r.failure.exit_status), r.failure.error});
  return out;
}

}  // namespace

TableCounts write_tables(const SweepSpec& spec, const std::vector<Point>& points, const SweepDir& dir) {
  std::vector<Record> records;
  TableCounts counts;
  for (const Point& p : points) {
    Record r{&p, dir.status(p.id), nullptr, {}};
    if (r.status == PointStatus::Ok) {
      r.results = json::parse(read_text(fs::path(dir.point_dir(p.id)) / "results.json"));
      ++counts.ok;
    } else if (r.status == PointStatus::Failed) {
      r.failure = *dir.failure(p.id);
      ++counts.failed;
    } else {
      ++counts.not_run;
    }
    records.push_back(std::move(r));
  }
  world::write_file_atomically(dir.root(), "sweep.csv", sweep_csv(spec, records));
  world::write_file_atomically(dir.root(), "sweep-bins.csv", sweep_bins_csv(records, dir));
  world::write_file_atomically(dir.root(), "sweep-summary.csv", sweep_summary_csv(spec, records));
  world::write_file_atomically(dir.root(), "failures.csv", failures_csv(records));
  return counts;
}

}  // namespace iscsim::sweep
