#pragma once
// A bad scenario or override: one line naming the file, the JSON path and what is wrong.
#include <stdexcept>
#include <string>

namespace iscsim::scenario {

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(std::string file, std::string json_path, const std::string& message)
      : std::runtime_error(compose(file, json_path, message)), file_(std::move(file)), json_path_(std::move(json_path)) {}

  const std::string& file() const { return file_; }
  const std::string& json_path() const { return json_path_; }

 private:
  static std::string compose(const std::string& file, const std::string& path, const std::string& message) {
    return file + ": " + (path.empty() ? "" : path + ": ") + message;
  }
  std::string file_;
  std::string json_path_;
};

}  // namespace iscsim::scenario
