#include "models/cpu/CodePath.hpp"

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <vector>

#include "models/common/ParamSet.hpp"

namespace iscsim::models {

namespace {

const char* const kFields[] = {"instr_per_call", "instr_per_byte", "cpi", "footprint_bytes"};

BoundedValue bounded(const nlohmann::json& e, const std::string& where) {
  if (!e.is_object()) throw ParamError(where + ": expected {\"value\", \"min\", \"max\", \"source\"}");
  for (const auto& [k, v] : e.items()) {
    (void)v;
    if (k != "value" && k != "min" && k != "max" && k != "source")
      throw ParamError(where + "." + k + ": unknown key; allowed keys: max, min, source, value");
  }
  BoundedValue b;
  for (const char* k : {"value", "min", "max"}) {
    if (!e.contains(k) || !e[k].is_number()) throw ParamError(where + "." + k + ": expected a number");
  }
  b.value = e["value"].get<double>();
  b.min = e["min"].get<double>();
  b.max = e["max"].get<double>();
  if (!e.contains("source") || !e["source"].is_string() || e["source"].get<std::string>().empty())
    throw ParamError(where + ".source: expected a non-empty string citing where the value comes from");
  b.source = e["source"].get<std::string>();
  if (!(b.min <= b.value && b.value <= b.max) || b.min < 0)
    throw ParamError(where + ": value " + std::to_string(b.value) + " outside its bounds [" + std::to_string(b.min) +
                     ", " + std::to_string(b.max) + "] (bounds must be non-negative)");
  return b;
}

// A path's fixed costs, as the catalog writes them (its "mmio", "traps", "locked_ops"): counts
// named in `counts` (per call, or per byte), each a non-negative number, and the `source` that
// gives them. Returns the counts in that order (0 where absent, unless `required`).
std::vector<double> per_call_counts(const nlohmann::json& e, const std::string& where,
                                    std::initializer_list<const char*> counts, bool required, std::string& source) {
  std::string names;
  for (const char* c : counts) names += std::string(names.empty() ? "" : ", ") + c;
  if (!e.is_object()) throw ParamError(where + ": expected {" + names + ", source}");
  for (const auto& [k, v] : e.items()) {
    if (k == "source" && v.is_string() && !v.get<std::string>().empty()) continue;
    const bool count = std::any_of(counts.begin(), counts.end(), [&k = k](const char* c) { return k == c; });
    if (count && v.is_number() && v.get<double>() >= 0) continue;
    throw ParamError(where + "." + k + ": allowed keys: " + names + " (non-negative counts), source (text)");
  }
  if (!e.contains("source")) throw ParamError(where + ".source: expected a non-empty string citing the code");
  source = e["source"].get<std::string>();
  std::vector<double> out;
  for (const char* c : counts) {
    if (required && !e.contains(c)) throw ParamError(where + "." + c + ": missing");
    out.push_back(e.value(c, 0.0));
  }
  return out;
}

nlohmann::json bounded_json(const BoundedValue& b) {
  return {{"value", b.value}, {"min", b.min}, {"max", b.max}, {"source", b.source}};
}

// The keys of a path's fixed costs, which a catalog gives and a patch may replace.
const char* const kFixedCosts[] = {"mmio", "traps", "locked_ops"};

// Sets the fixed costs `key` (one of kFixedCosts) gives `p` from `v`, checked as the catalog
// writes them; false for any other key.
bool read_fixed_costs(CodePath& p, const std::string& key, const nlohmann::json& v, const std::string& where) {
  if (key == "mmio") {
    const std::vector<double> n = per_call_counts(v, where, {"reads", "writes"}, false, p.mmio_source);
    p.mmio_reads = n[0];
    p.mmio_writes = n[1];
  } else if (key == "traps") {
    p.traps = per_call_counts(v, where, {"per_call"}, true, p.traps_source)[0];
  } else if (key == "locked_ops") {
    const std::vector<double> n = per_call_counts(v, where, {"per_call", "per_byte"}, false, p.locked_ops_source);
    p.locked_ops = n[0];
    p.locked_ops_per_byte = n[1];
  } else {
    return false;
  }
  return true;
}

// The JSON document in `file` (`what` it should hold names it when it cannot be read).
nlohmann::json read_json_file(const std::string& file, const std::string& what) {
  std::ifstream in(file);
  if (!in) throw ParamError(file + ": cannot open " + what);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ParamError(file + ": not valid JSON: " + e.what());
  }
}

}  // namespace

Bin bin_from_name(const std::string& name) {
  for (std::size_t i = 0; i < kBinCount; ++i)
    if (kBinNames[i] == name) return static_cast<Bin>(i);
  std::string allowed;
  for (auto n : kBinNames) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
  throw std::invalid_argument("unknown bin \"" + name + "\"; allowed bins: " + allowed);
}

CodePathCatalog CodePathCatalog::load(const std::string& params_dir, const std::string& name) {
  return load(params_dir + "/cpu/" + name + ".json");
}

CodePathCatalog CodePathCatalog::load(const std::string& path) {
  return parse(read_json_file(path, "code-path catalog"), path);
}

CodePathCatalog CodePathCatalog::parse(const nlohmann::json& doc, const std::string& origin) {
  CodePathCatalog c;
  c.origin_ = origin;
  if (!doc.is_object() || !doc.contains("paths") || !doc["paths"].is_object())
    throw ParamError(origin + ": expected an object with a \"paths\" object");
  for (const auto& [key, v] : doc.items()) {
    if (key == "description" && v.is_string())
      c.description_ = v.get<std::string>();
    else if (key != "paths")
      throw ParamError(origin + ": " + key + ": unknown key; allowed keys: description, paths");
  }
  for (const auto& [name, e] : doc["paths"].items()) {
    const std::string where = origin + ": paths." + name;
    if (!e.is_object()) throw ParamError(where + ": expected an object");
    for (const auto& [k, v] : e.items()) {
      (void)v;
      bool known = k == "bin" || k == "per" || k == "mmio" || k == "traps" || k == "locked_ops" || k == "sourced_cycles" ||
                   k == "string_stores";
      for (const char* f : kFields) known = known || k == f;
      if (!known)
        throw ParamError(where + "." + k +
                         ": unknown key; allowed keys: bin, cpi, footprint_bytes, instr_per_byte, instr_per_call, locked_ops, mmio, per, "
                         "sourced_cycles, string_stores, traps");
    }
    CodePath p;
    p.name = name;
    if (!e.contains("bin") || !e["bin"].is_string()) throw ParamError(where + ".bin: expected a bin name");
    try {
      p.bin = bin_from_name(e["bin"].get<std::string>());
    } catch (const std::invalid_argument& err) {
      throw ParamError(where + ".bin: " + err.what());
    }
    if (e.contains("per") && e["per"].is_string()) p.per = e["per"].get<std::string>();
    if (e.contains("sourced_cycles")) {
      const nlohmann::json& k = e["sourced_cycles"];
      if (k == "core")
        p.sourced_cycles = SourcedCycles::Core;
      else if (k == "total")
        p.sourced_cycles = SourcedCycles::Total;
      else
        throw ParamError(where + ".sourced_cycles: " + k.dump() + "; allowed values: \"core\" (the source's cycles are "
                         "compute only), \"total\" (they include the path's stalls)");
    }
    for (const char* f : kFields)
      if (!e.contains(f)) throw ParamError(where + "." + f + ": missing");
    p.instr_per_call = bounded(e["instr_per_call"], where + ".instr_per_call");
    p.instr_per_byte = bounded(e["instr_per_byte"], where + ".instr_per_byte");
    p.cpi = bounded(e["cpi"], where + ".cpi");
    p.footprint_bytes = bounded(e["footprint_bytes"], where + ".footprint_bytes");
    if (p.cpi.min <= 0) throw ParamError(where + ".cpi.min: must be positive");
    for (const char* k : kFixedCosts)
      if (e.contains(k)) read_fixed_costs(p, k, e[k], where + "." + k);
    if (e.contains("string_stores")) {
      const nlohmann::json& k = e["string_stores"];
      if (!k.is_string() || k.get<std::string>().empty())
        throw ParamError(where + ".string_stores: expected the source (a string) saying the path stores with rep movs or "
                         "rep stos");
      p.string_stores_source = k.get<std::string>();
    }
    c.by_name_[name] = c.paths_.size();
    c.paths_.push_back(std::move(p));
  }
  return c;
}

nlohmann::json CodePathCatalog::to_json() const {
  nlohmann::json paths = nlohmann::json::object();
  for (const CodePath& p : paths_) {
    paths[p.name] = {{"bin", std::string(bin_name(p.bin))},
                     {"per", p.per},
                     {"sourced_cycles", p.sourced_cycles == SourcedCycles::Total ? "total" : "core"},
                     {"instr_per_call", bounded_json(p.instr_per_call)},
                     {"instr_per_byte", bounded_json(p.instr_per_byte)},
                     {"cpi", bounded_json(p.cpi)},
                     {"footprint_bytes", bounded_json(p.footprint_bytes)}};
    if (!p.mmio_source.empty())
      paths[p.name]["mmio"] = {{"reads", p.mmio_reads}, {"writes", p.mmio_writes}, {"source", p.mmio_source}};
    if (!p.traps_source.empty()) paths[p.name]["traps"] = {{"per_call", p.traps}, {"source", p.traps_source}};
    if (!p.locked_ops_source.empty())
      paths[p.name]["locked_ops"] = {
          {"per_call", p.locked_ops}, {"per_byte", p.locked_ops_per_byte}, {"source", p.locked_ops_source}};
    if (p.string_stores()) paths[p.name]["string_stores"] = p.string_stores_source;
  }
  return {{"description", description_}, {"paths", paths}};
}

void CodePathCatalog::add(const CodePathCatalog& extra) {
  for (const CodePath& p : extra.paths_) {
    if (by_name_.count(p.name) != 0)
      throw ParamError(extra.origin_ + ": paths." + p.name + ": already defined by " + origin_ +
                       "; an added catalog may only define new paths");
    by_name_[p.name] = paths_.size();
    paths_.push_back(p);
  }
  origin_ += " + " + extra.origin_;
}

void CodePathCatalog::apply_patch(const std::string& path) {
  const nlohmann::json doc = read_json_file(path, "code-path patch");
  if (!doc.is_object() || !doc.contains("paths") || !doc["paths"].is_object())
    throw ParamError(path + ": expected an object with a \"paths\" object");
  for (const auto& [key, v] : doc.items())
    if (key != "paths" && !(key == "description" && v.is_string()))
      throw ParamError(path + ": " + key + ": unknown key; allowed keys: description, paths");
  for (const auto& [name, e] : doc["paths"].items()) {
    const std::string where = path + ": paths." + name;
    if (by_name_.count(name) == 0) throw ParamError(where + ": no such path in " + origin_);
    if (!e.is_object() || e.empty()) throw ParamError(where + ": expected an object of fixed counts");
    CodePath& p = paths_[by_name_.at(name)];
    for (const auto& [k, v] : e.items())
      if (!read_fixed_costs(p, k, v, where + "." + k))
        throw ParamError(where + "." + k +
                         ": a patch sets fixed counts only (what calibration fits stays the catalog's); allowed "
                         "keys: locked_ops, mmio, traps");
  }
  origin_ += " patched by " + path;
}

PathId CodePathCatalog::id(const std::string& name) const {
  auto it = by_name_.find(name);
  if (it != by_name_.end()) return it->second;
  std::string known;
  for (const auto& [n, i] : by_name_) {
    (void)i;
    known += (known.empty() ? "" : ", ") + n;
  }
  throw ParamError(origin_ + ": paths." + name + ": missing code path; the catalog has: " + known);
}

}  // namespace iscsim::models
