#include "sim/calibration/MeanRun.hpp"

#include <stdexcept>

namespace iscsim::calibration {

namespace {

// The mean of `values` over `total` runs: a run without the value (or the structure holding it)
// counts as 0 for each number in it.
nlohmann::json mean_of(const std::vector<const nlohmann::json*>& values, std::size_t total) {
  const nlohmann::json& first = *values.front();
  if (first.is_number()) {
    double sum = 0;
    for (const nlohmann::json* v : values)
      if (v->is_number()) sum += v->get<double>();
    return sum / static_cast<double>(total);
  }
  if (first.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const nlohmann::json* v : values) {
      if (!v->is_object()) continue;
      for (const auto& [key, ignored] : v->items()) {
        if (out.contains(key)) continue;
        std::vector<const nlohmann::json*> of_key;
        for (const nlohmann::json* w : values)
          if (w->is_object() && w->contains(key)) of_key.push_back(&(*w)[key]);
        out[key] = mean_of(of_key, total);
      }
    }
    return out;
  }
  if (first.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t i = 0; i < first.size(); ++i) {
      std::vector<const nlohmann::json*> at;
      for (const nlohmann::json* v : values)
        if (v->is_array() && i < v->size()) at.push_back(&(*v)[i]);
      out.push_back(mean_of(at, total));
    }
    return out;
  }
  return first;
}

}  // namespace

nlohmann::json mean_run(const std::vector<nlohmann::json>& runs) {
  if (runs.empty()) throw std::invalid_argument("mean_run: no runs to average");
  std::vector<const nlohmann::json*> all;
  for (const nlohmann::json& r : runs) all.push_back(&r);
  return mean_of(all, runs.size());
}

}  // namespace iscsim::calibration
