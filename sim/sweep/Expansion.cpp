#include "sim/sweep/Expansion.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <map>

#include "sim/scenario/Loader.hpp"

namespace iscsim::sweep {

using nlohmann::json;

namespace {

// FNV-1a, 64 bit (offset basis and prime from the FNV specification): a hash that is the same
// on every platform and release, so point ids survive rebuilds.
constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
// The readable part of an id is cut here: ids name directories (file names are at most 255
// bytes) and should stay short enough to read in a listing.
constexpr std::size_t kReadableIdChars = 96;
constexpr int kHashHexDigits = 8;

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = kFnvOffsetBasis;
  for (unsigned char c : text) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

std::string leaf(const std::string& key) {
  const std::size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::string file_safe(std::string text) {
  for (char& c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' || c == '=')) c = '_';
  return text;
}

}  // namespace

std::string value_text(const json& v) {
  if (v.is_null()) return "";
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string point_id(const std::vector<std::pair<std::string, json>>& axes) {
  if (axes.empty()) return "base";
  std::string readable;
  for (const auto& [key, value] : axes) readable += (readable.empty() ? "" : "_") + leaf(key) + "=" + value_text(value);
  readable = file_safe(readable).substr(0, kReadableIdChars);
  // The hash covers full keys and exact values, sorted by key, so that ids differ whenever
  // points do and do not depend on the order of keys in the sweep file.
  std::map<std::string, std::string> canonical;
  for (const auto& [key, value] : axes) canonical[key] = value.dump();
  std::string text;
  for (const auto& [key, value] : canonical) text += key + "=" + value + "\n";
  const std::uint64_t h = fnv1a(text);
  char hex[kHashHexDigits + 1];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>((h ^ (h >> 32)) & 0xffffffffU));
  return readable + "_" + hex;
}

std::vector<Point> expand(const SweepSpec& spec) {
  // One dimension per grid axis and per zipped group; each step of a dimension sets its keys.
  using Step = std::vector<std::pair<std::string, json>>;
  std::vector<std::vector<Step>> dims;
  for (const Axis& a : spec.grid) {
    std::vector<Step> steps;
    for (const json& v : a.values) steps.push_back({{a.key, v}});
    dims.push_back(steps);
  }
  for (const ZipGroup& z : spec.zips) {
    std::vector<Step> steps(z.length());
    for (std::size_t i = 0; i < z.length(); ++i)
      for (const Axis& a : z.members) steps[i].emplace_back(a.key, a.values[i]);
    dims.push_back(steps);
  }

  std::map<std::string, json> fixed;
  for (const auto& [key, value] : spec.fixed) fixed[key] = value;

  std::vector<Point> points;
  std::vector<std::size_t> at(dims.size(), 0);
  for (bool more = true; more;) {
    Point p;
    for (std::size_t d = 0; d < dims.size(); ++d)
      for (const auto& kv : dims[d][at[d]]) p.axes.push_back(kv);
    const auto value_of = [&](const std::string& key) -> const json& {
      for (const auto& [k, v] : p.axes)
        if (k == key) return v;
      return fixed.at(key);
    };
    bool kept = true;
    for (std::size_t i = 0; i < spec.constraints.size() && kept; ++i) {
      try {
        kept = spec.constraints[i].holds(value_of);
      } catch (const ConstraintError& e) {
        throw SpecError(spec.file, "constraints[" + std::to_string(i) + "]",
                        "\"" + spec.constraints[i].text() + "\": " + e.what());
      }
    }
    if (kept) {
      for (const auto& [key, value] : spec.fixed) p.overrides.push_back(key + "=" + value.dump());
      for (const auto& [key, value] : p.axes) p.overrides.push_back(key + "=" + value.dump());
      p.id = point_id(p.axes);
      points.push_back(std::move(p));
    }
    // Odometer: the last dimension turns fastest.
    more = false;
    for (std::size_t d = dims.size(); d-- > 0;) {
      if (++at[d] < dims[d].size()) {
        more = true;
        break;
      }
      at[d] = 0;
    }
  }
  if (points.empty()) throw SpecError(spec.file, "constraints", "no combination of the axes satisfies every constraint");
  std::map<std::string, std::size_t> first_with_id;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto [it, fresh] = first_with_id.emplace(points[i].id, i);
    if (!fresh)
      throw SpecError(spec.file, "", "points " + std::to_string(it->second) + " and " + std::to_string(i) +
                                         " have the same id " + points[i].id + "; change a value");
  }
  return points;
}

void check_points(const SweepSpec& spec, const std::vector<Point>& points) {
  for (const Point& p : points) {
    try {
      scenario::load_scenario(spec.scenario_path, p.overrides);
    } catch (const scenario::ScenarioError& e) {
      // Name the sweep file's key when the scenario's complaint is about one of its values.
      std::string where;
      for (const auto& [key, value] : spec.fixed)
        if (key == e.json_path()) where = "set." + key;
      for (const Axis& a : spec.grid)
        if (a.key == e.json_path()) where = a.json_path;
      for (const ZipGroup& z : spec.zips)
        for (const Axis& a : z.members)
          if (a.key == e.json_path()) where = a.json_path;
      throw SpecError(spec.file, where, "point " + p.id + ": " + e.what());
    }
  }
}

}  // namespace iscsim::sweep
