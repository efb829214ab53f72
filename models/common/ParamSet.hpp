#pragma once
// A parameter file from models/params/: named values, each with its unit and source. Models read
// their parameters by name; a name the file lacks, or a file entry no model reads, is an error.
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace iscsim::models {

class ParamError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ParamSet {
 public:
  // `origin` names the file in messages. Layout: {"description": ..., "params": {NAME: {"value":
  // NUMBER, "unit": STRING, "source": STRING}}}.
  ParamSet(nlohmann::json doc, std::string origin);
  static ParamSet load(const std::string& path);
  // Loads models/params/<kind>/<name>.json under `params_dir`, or `name` itself if it ends in .json.
  static ParamSet load(const std::string& params_dir, const std::string& kind, const std::string& name);
  // Whether a set's `name` is a file of its own (ends in .json: calibration's trials and ablations).
  static bool names_a_file(const std::string& name);
  // The file a set's name stands for: `name` itself, or models/params/<kind>/<name>.json.
  static std::string path_of(const std::string& params_dir, const std::string& kind, const std::string& name);

  double number(const std::string& name) const;
  // The value must be a whole number within [min, max].
  long long integer(const std::string& name, long long min, long long max) const;
  std::string unit(const std::string& name) const;
  // Throws if the file has entries that nothing read: a typo in a parameter file must not pass.
  void require_all_read() const;
  const std::string& origin() const { return origin_; }

 private:
  const nlohmann::json& entry(const std::string& name) const;
  nlohmann::json params_;
  std::string origin_;
  mutable std::set<std::string> read_;
};

}  // namespace iscsim::models
