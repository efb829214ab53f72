#pragma once
// The one way an iscsim command writes its outputs (directories such as `run -o DIR`, single
// files such as `--pcap FILE`):
//
//   results::OutputPlan plan;
//   plan.add_directory("-o", out_dir);          // "-o": how messages name where the path came from
//   plan.add_file("--pcap", pcap_path);
//   results::StagedOutput out(plan);            // checks and stages every path, before any work
//   writer_opening(out.path(pcap_path));        // a writer that needs a path of its own
//   out.write(out_dir + "/results.json", text);
//   out.commit();                               // all into place at once; before that, nothing is
//
// * Checks: a file where a directory is wanted (or the other way round), an unwritable or
//   non-directory parent, an existing directory that is not iscsim's, two outputs on one path.
//   Each is an OutputPathError (bad input, exit status 2) naming the option, the path and the
//   reason, thrown before anything is written.
// * Staging: each output is written into a hidden sibling `.NAME.partial-PID` (for a file, a
//   directory holding it) and moved into place by commit(); a file inside a directory output
//   moves with the directory. Not committed (an exception, a return): the siblings are removed.
//   SIGINT/SIGTERM/SIGHUP: removed too, exit 130/143/129 (InterruptCleanup.hpp). SIGKILL: the next
//   StagedOutput beside them removes siblings whose process is gone.
// * Replacing: every output directory carries the marker file kOutputMarker. An existing output
//   directory is replaced whole (a re-run leaves exactly the new run's files) only when it is
//   empty or carries the marker; any other (say `-o ~`) is refused. Missing parents are created.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace iscsim::results {

// The marker file written into every output directory.
inline constexpr const char* kOutputMarker = ".iscsim-output";

// The indentation of every JSON file iscsim writes.
inline constexpr int kJsonIndent = 2;

// An output path the user gave that cannot be written: bad input (exit status 2).
class OutputPathError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What a command will write; checked and staged by StagedOutput.
class OutputPlan {
 public:
  // `option` names the path's origin in messages ("-o", "--pcap", "--out").
  void add_directory(const std::string& option, const std::string& path);
  void add_file(const std::string& option, const std::string& path);

 private:
  friend class StagedOutput;
  struct Entry {
    std::string option;
    std::string path;
    bool directory = false;
  };
  std::vector<Entry> entries_;
};

// A plan's outputs while they are being written; see the top of this file.
class StagedOutput {
 public:
  // Checks every path, removes stale siblings, creates the staging; throws OutputPathError.
  explicit StagedOutput(const OutputPlan& plan);
  // Not committed: removes everything staged and the parents it created.
  ~StagedOutput();
  StagedOutput(const StagedOutput&) = delete;
  StagedOutput& operator=(const StagedOutput&) = delete;

  // Where to write `final_path` (a planned file, or a path inside a planned directory, spelled
  // as given to the plan) until commit.
  std::string path(const std::string& final_path) const;
  // Writes `content` to path(final_path), creating directories inside the staging as needed.
  void write(const std::string& final_path, const std::string& content) const;
  // A directory for intermediate files, removed before commit moves the outputs into place.
  std::string scratch_dir();
  // Moves every output into place (replacing an earlier one); throws if a file was never written.
  void commit();

 private:
  struct Target {
    std::string option;
    std::string given;
    bool directory = false;
    std::filesystem::path final_path;  // absolute, symbolic links in its existing part resolved
    std::filesystem::path staged;      // a directory output: the new directory; a file: the file
    std::filesystem::path sibling;     // the `.NAME.partial-PID` sibling (empty when nested)
    const Target* within = nullptr;    // a file inside a directory output
  };
  void check(const Target& t) const;
  void stage(Target& t);
  void commit_directory(const Target& t) const;
  void discard() noexcept;
  const Target* owner(const std::filesystem::path& final_path) const;

  std::vector<Target> targets_;
  std::vector<std::filesystem::path> created_;  // parents created, outermost first
  std::filesystem::path scratch_;
  bool committed_ = false;
};

}  // namespace iscsim::results

namespace iscsim::world {

// Creates `dir` (and parents) if needed and replaces `dir/name` with `content` atomically: for
// one file in a directory that outlives a command (a sweep's, which later commands resume). A
// command's own outputs go through StagedOutput.
void write_file_atomically(const std::string& dir, const std::string& name, const std::string& content);

}  // namespace iscsim::world
