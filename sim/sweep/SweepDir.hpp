#pragma once
// The directory a sweep writes, long-lived and resumable: sweep.json (the resolved spec, which
// marks the directory as this sweep's), points/<id>/ (one `iscsim run` each), logs/<id>.out and
// .err (what each run printed), failed/<id>.json (why a point failed), the tables, and the
// project's output marker. It is not staged as a whole; each file in it is written atomically.
// A directory it may not use is refused with results::OutputPathError (bad input).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/Expansion.hpp"

namespace iscsim::sweep {

struct Failure {
  int exit_status = 0;
  std::string error;
};

enum class PointStatus { Ok, Failed, NotRun };

// The whole text of a file of a sweep directory; empty when it cannot be read.
std::string read_text(const std::filesystem::path& p);

class SweepDir {
 public:
  explicit SweepDir(std::string root);

  // What sweep.json holds for this sweep; two invocations may share a directory when equal.
  static nlohmann::ordered_json manifest(const SweepSpec& spec, const std::vector<Point>& points);

  // Throws OutputPathError unless the directory is absent, empty, or this sweep's; writes nothing.
  void check(const nlohmann::ordered_json& manifest) const;
  // check(), then create the directory and write sweep.json and the output marker if absent.
  void prepare(const nlohmann::ordered_json& manifest) const;
  // Creates the directory the points' runs write into, before any of them starts.
  void prepare_points() const;
  // Throws OutputPathError unless the directory already belongs to this sweep (to gather it).
  void require_existing(const nlohmann::ordered_json& manifest) const;

  const std::string& root() const { return root_; }
  std::string point_dir(const std::string& id) const;
  std::string stdout_log(const std::string& id) const;
  std::string stderr_log(const std::string& id) const;

  PointStatus status(const std::string& id) const;
  std::optional<Failure> failure(const std::string& id) const;
  // Removes what an unfinished attempt left of a point (its directory, staging siblings, an old
  // failure record) so that the next attempt starts clean.
  void clear_point(const std::string& id) const;
  void record_failure(const std::string& id, const Failure& failure) const;
  // The last line the point's run wrote on standard error, or a description of its exit.
  std::string error_text(const std::string& id, int exit_status) const;

 private:
  std::string root_;
};

}  // namespace iscsim::sweep
