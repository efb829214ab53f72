#include "sim/sweep/SweepSpec.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace iscsim::sweep {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

const std::vector<std::string> kTopLevelKeys{"name", "description", "scenario", "set", "grid", "zip", "constraints"};

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

ordered_json read_spec_file(const std::string& path) {
  std::ifstream in(path);
  if (!fs::is_regular_file(path) || !in) throw SpecError(path, "", "cannot read the sweep file (missing or not a file)");
  std::stringstream text;
  text << in.rdbuf();
  try {
    return ordered_json::parse(text.str());
  } catch (const ordered_json::parse_error& e) {
    throw SpecError(path, "", std::string("invalid JSON: ") + e.what());
  }
}

// A dotted scenario key as --set takes it; whether the scenario has it is checked per point.
void check_key_syntax(const std::string& file, const std::string& where, const std::string& key) {
  bool ok = !key.empty() && key.front() != '.' && key.back() != '.' && key.find("..") == std::string::npos;
  for (char c : key) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
  if (!ok) throw SpecError(file, where, "expected a dotted scenario key such as host.cpu.frequency_ghz");
}

json scalar(const std::string& file, const std::string& where, const ordered_json& v) {
  if (!(v.is_number() || v.is_string() || v.is_boolean()))
    throw SpecError(file, where, "expected a number, a string or a boolean, found " + v.dump());
  return json::parse(v.dump());
}

Axis read_axis(const std::string& file, const std::string& where, const std::string& key, const ordered_json& list) {
  check_key_syntax(file, where, key);
  if (!list.is_array() || list.empty())
    throw SpecError(file, where, "expected a non-empty array of values, found " + list.dump());
  Axis axis{key, {}, where};
  for (std::size_t i = 0; i < list.size(); ++i) axis.values.push_back(scalar(file, where + "[" + std::to_string(i) + "]", list[i]));
  return axis;
}

void check_distinct(const std::string& file, const std::string& where, const std::vector<json>& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (rows[i] == rows[j])
        throw SpecError(file, where, "value " + rows[i].dump() + " appears twice (entries " + std::to_string(j) +
                                         " and " + std::to_string(i) + "); every point must differ");
}

ZipGroup read_zip_group(const std::string& file, const std::string& where, const ordered_json& group) {
  if (!group.is_object() || group.empty())
    throw SpecError(file, where, "expected an object of keys to equally long value arrays, found " + group.dump());
  ZipGroup zip;
  for (const auto& [key, list] : group.items()) {
    zip.members.push_back(read_axis(file, where + "." + key, key, list));
    const Axis& first = zip.members.front();
    if (zip.members.back().values.size() != first.values.size())
      throw SpecError(file, where + "." + key,
                      "has " + std::to_string(zip.members.back().values.size()) + " values but " + first.key + " has " +
                          std::to_string(first.values.size()) + "; zipped keys need equally many");
  }
  std::vector<json> rows(zip.length(), json::array());
  for (const Axis& a : zip.members)
    for (std::size_t i = 0; i < a.values.size(); ++i) rows[i].push_back(a.values[i]);
  check_distinct(file, where, rows);
  return zip;
}

}  // namespace

std::vector<std::string> SweepSpec::axis_keys() const {
  std::vector<std::string> keys;
  for (const Axis& a : grid) keys.push_back(a.key);
  for (const ZipGroup& z : zips)
    for (const Axis& a : z.members) keys.push_back(a.key);
  return keys;
}

ordered_json SweepSpec::identity() const {
  ordered_json id;
  id["scenario"] = scenario_path;
  id["set"] = ordered_json::object();
  for (const auto& [key, value] : fixed) id["set"][key] = ordered_json::parse(value.dump());
  const auto axes = [](const std::vector<Axis>& list) {
    ordered_json out = ordered_json::object();
    for (const Axis& a : list) out[a.key] = ordered_json::parse(json(a.values).dump());
    return out;
  };
  id["grid"] = axes(grid);
  id["zip"] = ordered_json::array();
  for (const ZipGroup& z : zips) id["zip"].push_back(axes(z.members));
  id["constraints"] = ordered_json::array();
  for (const Constraint& c : constraints) id["constraints"].push_back(c.text());
  return id;
}

SweepSpec load_sweep_spec(const std::string& path) {
  const ordered_json doc = read_spec_file(path);
  if (!doc.is_object()) throw SpecError(path, "", "expected a JSON object with \"scenario\" and axes");
  for (const auto& [key, value] : doc.items())
    if (std::find(kTopLevelKeys.begin(), kTopLevelKeys.end(), key) == kTopLevelKeys.end())
      throw SpecError(path, key, "unknown key; allowed keys: " + join(kTopLevelKeys));

  SweepSpec spec;
  spec.file = path;
  spec.name = fs::path(path).stem().string();
  if (doc.contains("name")) {
    const ordered_json& n = doc["name"];
    const std::string text = n.is_string() ? n.get<std::string>() : "";
    const bool ok = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok) throw SpecError(path, "name", "expected a non-empty string of letters, digits, '-', '_' and '.', found " + n.dump());
    spec.name = text;
  }
  if (doc.contains("description")) {
    if (!doc["description"].is_string()) throw SpecError(path, "description", "expected a string");
    spec.description = doc["description"].get<std::string>();
  }

  if (!doc.contains("scenario") || !doc["scenario"].is_string() || doc["scenario"].get<std::string>().empty())
    throw SpecError(path, "scenario", "required: the base scenario file, relative to the sweep file");
  const fs::path base = fs::path(path).parent_path() / doc["scenario"].get<std::string>();
  if (!fs::is_regular_file(base)) throw SpecError(path, "scenario", base.string() + ": no such scenario file");
  spec.scenario_path = fs::weakly_canonical(fs::absolute(base)).string();

  std::map<std::string, std::string> seen;  // key -> where it was first given
  const auto claim = [&](const std::string& key, const std::string& where) {
    const auto [it, fresh] = seen.emplace(key, where);
    if (!fresh) throw SpecError(path, where, "the key " + key + " is already given at " + it->second);
  };

  if (doc.contains("set")) {
    if (!doc["set"].is_object()) throw SpecError(path, "set", "expected an object of scenario keys to fixed values");
    for (const auto& [key, value] : doc["set"].items()) {
      check_key_syntax(path, "set." + key, key);
      claim(key, "set." + key);
      spec.fixed.emplace_back(key, json::parse(value.dump()));
    }
  }
  if (doc.contains("grid")) {
    if (!doc["grid"].is_object()) throw SpecError(path, "grid", "expected an object of scenario keys to value arrays");
    for (const auto& [key, list] : doc["grid"].items()) {
      Axis axis = read_axis(path, "grid." + key, key, list);
      claim(key, axis.json_path);
      check_distinct(path, axis.json_path, axis.values);
      spec.grid.push_back(std::move(axis));
    }
  }
  if (doc.contains("zip")) {
    const ordered_json& zip = doc["zip"];
    if (zip.is_object()) {
      spec.zips.push_back(read_zip_group(path, "zip", zip));
    } else if (zip.is_array()) {
      for (std::size_t i = 0; i < zip.size(); ++i) spec.zips.push_back(read_zip_group(path, "zip[" + std::to_string(i) + "]", zip[i]));
    } else {
      throw SpecError(path, "zip", "expected an object (one group) or an array of objects (groups) of equally long value arrays");
    }
    for (const ZipGroup& z : spec.zips)
      for (const Axis& a : z.members) claim(a.key, a.json_path);
  }

  if (doc.contains("constraints")) {
    const ordered_json& list = doc["constraints"];
    if (!list.is_array()) throw SpecError(path, "constraints", "expected an array of strings such as \"host.ppes < host.cores\"");
    std::vector<std::string> names;
    for (const auto& [key, where] : seen) names.push_back(key);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = "constraints[" + std::to_string(i) + "]";
      if (!list[i].is_string()) throw SpecError(path, where, "expected a string such as \"host.ppes < host.cores\"");
      try {
        spec.constraints.push_back(Constraint::parse(list[i].get<std::string>(), names));
      } catch (const ConstraintError& e) {
        throw SpecError(path, where, list[i].dump() + ": " + e.what());
      }
    }
  }
  return spec;
}

}  // namespace iscsim::sweep
