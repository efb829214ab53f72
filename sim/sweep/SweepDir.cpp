#include "sim/sweep/SweepDir.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "sim/results/OutputDir.hpp"

namespace iscsim::sweep {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr const char* kManifest = "sweep.json";
constexpr const char* kManifestFormat = "iscsim-sweep-1";
constexpr const char* kPointsDir = "points";
constexpr const char* kMarkerText =
    "Written by iscsim sweep. The same sweep file resumes here; any other iscsim command that writes here "
    "replaces this directory whole.\n";

// The nearest ancestor that exists must be a directory we may write into.
void check_creatable(const fs::path& dir) {
  fs::path probe = dir;
  while (!probe.empty() && !fs::exists(probe) && probe != probe.parent_path()) probe = probe.parent_path();
  if (!fs::is_directory(probe))
    throw results::OutputPathError("-o " + dir.string() + ": cannot create it: " + probe.string() + " is not a directory");
  if (::access(probe.c_str(), W_OK) != 0)
    throw results::OutputPathError("-o " + dir.string() + ": cannot create it: no permission to write in " + probe.string());
}

}  // namespace

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

SweepDir::SweepDir(std::string root) : root_(std::move(root)) {}

ordered_json SweepDir::manifest(const SweepSpec& spec, const std::vector<Point>& points) {
  ordered_json m;
  m["format"] = kManifestFormat;
  m["name"] = spec.name;
  m["sweep"] = spec.identity();
  m["points"] = ordered_json::array();
  for (const Point& p : points) {
    ordered_json entry;
    entry["id"] = p.id;
    entry["overrides"] = p.overrides;
    m["points"].push_back(entry);
  }
  return m;
}

void SweepDir::check(const ordered_json& manifest) const {
  const fs::path dir(root_);
  if (!fs::exists(dir)) return check_creatable(dir);
  if (!fs::is_directory(dir)) throw results::OutputPathError("-o " + root_ + ": exists and is not a directory");
  if (fs::is_empty(dir)) return;
  require_existing(manifest);
}

void SweepDir::require_existing(const ordered_json& manifest) const {
  const fs::path file = fs::path(root_) / kManifest;
  if (!fs::is_regular_file(file))
    throw results::OutputPathError("-o " + root_ + ": " +
                        (fs::is_directory(root_) ? "not empty and not a sweep directory (no sweep.json)"
                                                 : "no sweep has been run into this directory") +
                        "; give another -o");
  ordered_json existing;
  try {
    existing = ordered_json::parse(read_text(file));
  } catch (const ordered_json::parse_error&) {
    throw results::OutputPathError(file.string() + ": not valid JSON; give another -o");
  }
  if (existing.value("format", "") != kManifestFormat || existing["sweep"] != manifest["sweep"] ||
      existing["points"] != manifest["points"])
    throw results::OutputPathError("-o " + root_ + ": holds a different sweep (its sweep.json differs from this sweep file's "
                        "scenario, set, axes or constraints); give another -o or remove the directory");
}

void SweepDir::prepare(const ordered_json& manifest) const {
  check(manifest);
  if (!fs::exists(fs::path(root_) / kManifest))
    world::write_file_atomically(root_, kManifest, manifest.dump(results::kJsonIndent) + "\n");
  if (!fs::exists(fs::path(root_) / results::kOutputMarker)) world::write_file_atomically(root_, results::kOutputMarker, kMarkerText);
}

void SweepDir::prepare_points() const {
  // A run that fails removes the directories it created if empty: were it this one, it would
  // pull it from under a sibling run that is staging there.
  fs::create_directories(fs::path(root_) / kPointsDir);
}

std::string SweepDir::point_dir(const std::string& id) const { return (fs::path(root_) / kPointsDir / id).string(); }
std::string SweepDir::stdout_log(const std::string& id) const { return (fs::path(root_) / "logs" / (id + ".out")).string(); }
std::string SweepDir::stderr_log(const std::string& id) const { return (fs::path(root_) / "logs" / (id + ".err")).string(); }

PointStatus SweepDir::status(const std::string& id) const {
  const fs::path dir(point_dir(id));
  // A run writes results.json and bins.csv atomically and removes its outputs when stopped, so
  // both present means the run completed.
  if (fs::is_regular_file(dir / "results.json") && fs::is_regular_file(dir / "bins.csv")) return PointStatus::Ok;
  return failure(id) ? PointStatus::Failed : PointStatus::NotRun;
}

std::optional<Failure> SweepDir::failure(const std::string& id) const {
  const fs::path file = fs::path(root_) / "failed" / (id + ".json");
  if (!fs::is_regular_file(file)) return std::nullopt;
  try {
    const json j = json::parse(read_text(file));
    return Failure{j.at("exit_status").get<int>(), j.at("error").get<std::string>()};
  } catch (const json::exception&) {
    return Failure{-1, "unreadable failure record " + file.string()};
  }
}

void SweepDir::clear_point(const std::string& id) const {
  const fs::path points = fs::path(root_) / kPointsDir;
  fs::remove_all(points / id);
  fs::remove(fs::path(root_) / "failed" / (id + ".json"));
  if (!fs::is_directory(points)) return;
  // A run stages its outputs in a hidden ".<dir>.partial-<pid>" sibling; one stopped by
  // SIGKILL leaves it behind.
  const std::string staging = "." + id + ".partial-";
  for (const auto& entry : fs::directory_iterator(points))
    if (entry.path().filename().string().rfind(staging, 0) == 0) fs::remove_all(entry.path());
}

void SweepDir::record_failure(const std::string& id, const Failure& f) const {
  const json j{{"exit_status", f.exit_status}, {"error", f.error}};
  world::write_file_atomically((fs::path(root_) / "failed").string(), id + ".json", j.dump(results::kJsonIndent) + "\n");
}

std::string SweepDir::error_text(const std::string& id, int exit_status) const {
  std::istringstream err(read_text(stderr_log(id)));
  std::string line, last;
  while (std::getline(err, line))
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  return last.empty() ? "exited with status " + std::to_string(exit_status) + " and printed nothing" : last;
}

}  // namespace iscsim::sweep
