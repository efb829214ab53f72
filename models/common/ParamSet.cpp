#include "models/common/ParamSet.hpp"

#include <cmath>
#include <fstream>

namespace iscsim::models {

ParamSet::ParamSet(nlohmann::json doc, std::string origin) : origin_(std::move(origin)) {
  if (!doc.is_object() || !doc.contains("params") || !doc["params"].is_object())
    throw ParamError(origin_ + ": expected an object with a \"params\" object");
  for (const auto& [key, value] : doc.items()) {
    if (key != "params" && key != "description")
      throw ParamError(origin_ + ": " + key + ": unknown key; allowed keys: description, params");
  }
  params_ = std::move(doc["params"]);
  for (const auto& [name, e] : params_.items()) {
    const std::string where = origin_ + ": params." + name;
    if (!e.is_object() || !e.contains("value") || !e["value"].is_number())
      throw ParamError(where + ": expected {\"value\": number, \"unit\": string, \"source\": string}");
    if (!e.contains("unit") || !e["unit"].is_string())
      throw ParamError(where + ".unit: expected a string naming the unit");
    if (!e.contains("source") || !e["source"].is_string() || e["source"].get<std::string>().empty())
      throw ParamError(where + ".source: expected a non-empty string citing where the value comes from");
    for (const auto& [k, v] : e.items()) {
      (void)v;
      if (k != "value" && k != "unit" && k != "source" && k != "note")
        throw ParamError(where + "." + k + ": unknown key; allowed keys: note, source, unit, value");
    }
  }
}

ParamSet ParamSet::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ParamError(path + ": cannot open parameter file");
  try {
    return ParamSet(nlohmann::json::parse(in), path);
  } catch (const nlohmann::json::parse_error& e) {
    throw ParamError(path + ": not valid JSON: " + e.what());
  }
}

bool ParamSet::names_a_file(const std::string& name) {
  const std::string suffix = ".json";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string ParamSet::path_of(const std::string& params_dir, const std::string& kind, const std::string& name) {
  return names_a_file(name) ? name : params_dir + "/" + kind + "/" + name + ".json";
}

ParamSet ParamSet::load(const std::string& params_dir, const std::string& kind, const std::string& name) {
  return load(path_of(params_dir, kind, name));
}

const nlohmann::json& ParamSet::entry(const std::string& name) const {
  auto it = params_.find(name);
  if (it == params_.end()) throw ParamError(origin_ + ": params." + name + ": missing parameter");
  read_.insert(name);
  return *it;
}

double ParamSet::number(const std::string& name) const { return entry(name)["value"].get<double>(); }

long long ParamSet::integer(const std::string& name, long long min, long long max) const {
  const double v = number(name);
  if (std::floor(v) != v || v < static_cast<double>(min) || v > static_cast<double>(max))
    throw ParamError(origin_ + ": params." + name + ": expected an integer in [" + std::to_string(min) +
                     ", " + std::to_string(max) + "]");
  return static_cast<long long>(v);
}

std::string ParamSet::unit(const std::string& name) const { return entry(name)["unit"].get<std::string>(); }

void ParamSet::require_all_read() const {
  for (const auto& [name, e] : params_.items()) {
    (void)e;
    if (read_.count(name) == 0) throw ParamError(origin_ + ": params." + name + ": no model reads this parameter");
  }
}

}  // namespace iscsim::models
