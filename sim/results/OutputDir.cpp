#include "sim/results/OutputDir.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "sim/results/InterruptCleanup.hpp"

namespace iscsim::results {

namespace fs = std::filesystem;

namespace {

constexpr const char* kPartialInfix = ".partial-";
// An earlier output directory on its way out, when the file system cannot exchange two names.
constexpr const char* kOldSuffix = ".old";
constexpr const char* kScratchName = ".scratch";
// Times a command re-creates output parents that a concurrent failing command removed.
constexpr int kParentRaceAttempts = 3;
// Longest decimal pid (Linux pid_max is at most 2^22).
constexpr std::size_t kMaxPidDigits = 10;
constexpr const char* kMarkerText =
    "Written by iscsim. The next iscsim command that writes here replaces this directory whole.\n";

std::string partial_prefix(const fs::path& final_path) {
  return "." + final_path.filename().string() + kPartialInfix;
}

fs::path sibling_of(const fs::path& final_path) {
  return final_path.parent_path() / (partial_prefix(final_path) + std::to_string(::getpid()));
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// The pid in a `.NAME.partial-PID[.old]` name, or 0 when `name` is not one of NAME's siblings.
pid_t sibling_pid(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0) return 0;
  std::string digits = name.substr(prefix.size());
  const std::string old(kOldSuffix);
  if (digits.size() > old.size() && digits.compare(digits.size() - old.size(), old.size(), old) == 0)
    digits.resize(digits.size() - old.size());
  if (digits.empty() || digits.size() > kMaxPidDigits) return 0;
  for (char c : digits)
    if (c < '0' || c > '9') return 0;
  return static_cast<pid_t>(std::stoll(digits));
}

// Siblings left by a killed command (its process is gone) are removed.
void remove_stale_siblings(const fs::path& final_path) {
  const std::string prefix = partial_prefix(final_path);
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(final_path.parent_path(), ec)) {
    const pid_t pid = sibling_pid(e.path().filename().string(), prefix);
    if (pid > 0 && pid != ::getpid() && process_gone(pid)) fs::remove_all(e.path(), ec);
  }
}

bool is_within(const fs::path& inner, const fs::path& outer) {
  const fs::path rel = inner.lexically_relative(outer);
  return !rel.empty() && *rel.begin() != ".." && rel != ".";
}

bool directory_is_replaceable(const fs::path& dir) {
  std::error_code ec;
  return fs::is_empty(dir, ec) || fs::exists(dir / kOutputMarker, ec);
}

std::string describe(const std::string& option, const std::string& given) { return option + " " + given; }

// The first existing directory at or above `p`.
fs::path existing_ancestor(fs::path p) {
  std::error_code ec;
  while (!fs::exists(p, ec) && p.has_relative_path()) p = p.parent_path();
  return p;
}

void write_text(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) throw std::runtime_error(p.string() + ": cannot write: " + std::strerror(errno));
}

}  // namespace

void OutputPlan::add_directory(const std::string& option, const std::string& path) {
  entries_.push_back({option, path, true});
}

void OutputPlan::add_file(const std::string& option, const std::string& path) {
  entries_.push_back({option, path, false});
}

StagedOutput::StagedOutput(const OutputPlan& plan) {
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  for (const OutputPlan::Entry& e : plan.entries_) {
    Target t;
    t.option = e.option;
    t.given = e.path;
    t.directory = e.directory;
    if (e.path.empty()) throw OutputPathError(e.option + ": an empty path");
    t.final_path = fs::weakly_canonical(fs::absolute(e.path), ec);
    if (ec) throw OutputPathError(describe(e.option, e.path) + ": " + ec.message());
    if (!t.final_path.has_relative_path())
      throw OutputPathError(describe(e.option, e.path) + ": is the root directory; name one of its own");
    if (t.directory && (t.final_path == cwd || is_within(cwd, t.final_path)))
      throw OutputPathError(describe(e.option, e.path) +
                            ": holds the current directory, and an output directory is replaced whole; "
                            "name a directory of its own");
    targets_.push_back(std::move(t));
  }
  // A file inside a directory output moves with it; other overlaps are mistakes.
  for (std::size_t i = 0; i < targets_.size(); ++i)
    for (std::size_t j = i + 1; j < targets_.size(); ++j)
      if (targets_[i].final_path == targets_[j].final_path)
        throw OutputPathError(describe(targets_[j].option, targets_[j].given) + ": the same path as " +
                              describe(targets_[i].option, targets_[i].given));
  for (Target& t : targets_) {
    for (const Target& o : targets_) {
      if (&o == &t || !o.directory || !is_within(t.final_path, o.final_path)) continue;
      if (t.directory)
        throw OutputPathError(describe(t.option, t.given) + ": inside the output directory " +
                              describe(o.option, o.given) + ", which is replaced whole");
      t.within = &o;
    }
  }
  for (const Target& t : targets_) check(t);
  arm_interrupt_cleanup();
  try {
    for (Target& t : targets_)
      if (!t.within) stage(t);
    for (Target& t : targets_) {
      if (!t.within) continue;
      t.staged = t.within->staged / t.final_path.lexically_relative(t.within->final_path);
      fs::create_directories(t.staged.parent_path());
    }
  } catch (...) {
    discard();
    throw;
  }
}

void StagedOutput::check(const Target& t) const {
  if (t.within) return;  // replaced with its directory
  const std::string what = describe(t.option, t.given);
  std::error_code ec;
  const fs::file_status st = fs::status(t.final_path, ec);
  if (t.directory && fs::exists(st) && !fs::is_directory(st))
    throw OutputPathError(what + ": exists and is not a directory");
  if (t.directory && fs::is_directory(st) && !directory_is_replaceable(t.final_path))
    throw OutputPathError(what + ": exists and is not an iscsim output directory (it is not empty and has no " +
                          kOutputMarker + " file), so it is not replaced; name a new or empty directory");
  if (!t.directory && fs::is_directory(st)) throw OutputPathError(what + ": is a directory; name a file");
  if (!t.directory && fs::exists(st) && !fs::is_regular_file(st))
    throw OutputPathError(what + ": exists and is not a regular file");
  const fs::path ancestor = existing_ancestor(t.final_path.parent_path());
  if (!fs::is_directory(ancestor, ec)) throw OutputPathError(what + ": " + ancestor.string() + " is not a directory");
  if (::access(ancestor.c_str(), W_OK | X_OK) != 0)
    throw OutputPathError(what + ": cannot write in " + ancestor.string() + ": " + std::strerror(errno));
}

void StagedOutput::stage(Target& t) {
  const std::string what = describe(t.option, t.given);
  const fs::path parent = t.final_path.parent_path();
  std::error_code ec;
  t.sibling = sibling_of(t.final_path);
  // Another command that created the same parents and failed removes them when empty; a parent
  // that vanishes before the sibling is in it is created again.
  for (int attempt = 1;; ++attempt) {
    std::vector<fs::path> missing;
    for (fs::path p = parent; !fs::exists(p, ec); p = p.parent_path()) missing.insert(missing.begin(), p);
    for (const fs::path& p : missing) {
      if (!fs::create_directory(p, ec) && ec)
        throw OutputPathError(what + ": cannot create " + p.string() + ": " + ec.message());
      created_.push_back(p);
      register_cleanup_path(p.string(), Removal::IfEmpty);
    }
    remove_stale_siblings(t.final_path);
    if (fs::create_directory(t.sibling, ec)) break;
    if (ec != std::errc::no_such_file_or_directory || attempt == kParentRaceAttempts)
      throw OutputPathError(what + ": cannot create " + t.sibling.string() + ": " +
                            (ec ? ec.message() : std::string("it exists")));
  }
  register_cleanup_path(t.sibling.string(), Removal::Tree);
  t.staged = t.directory ? t.sibling : t.sibling / t.final_path.filename();
  if (t.directory) write_text(t.staged / kOutputMarker, kMarkerText);
}

const StagedOutput::Target* StagedOutput::owner(const fs::path& final_path) const {
  for (const Target& t : targets_)
    if (t.final_path == final_path) return &t;
  for (const Target& t : targets_)
    if (t.directory && is_within(final_path, t.final_path)) return &t;
  return nullptr;
}

std::string StagedOutput::path(const std::string& final_path) const {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(final_path), ec);
  const Target* t = ec ? nullptr : owner(p);
  if (t == nullptr) throw std::logic_error(final_path + ": not an output of this command's plan");
  return (t->final_path == p ? t->staged : t->staged / p.lexically_relative(t->final_path)).string();
}

void StagedOutput::write(const std::string& final_path, const std::string& content) const {
  const fs::path p = path(final_path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) throw std::runtime_error(p.parent_path().string() + ": cannot create: " + ec.message());
  write_text(p, content);
}

std::string StagedOutput::scratch_dir() {
  if (scratch_.empty()) {
    if (targets_.empty()) throw std::logic_error("scratch_dir: the plan has no outputs");
    const Target& first = targets_.front().within ? *targets_.front().within : targets_.front();
    scratch_ = first.sibling / kScratchName;
    fs::create_directories(scratch_);
  }
  return scratch_.string();
}

void StagedOutput::commit_directory(const Target& t) const {
  std::error_code ec;
  if (!fs::exists(t.final_path, ec)) {
    fs::rename(t.staged, t.final_path);
    return;
  }
  // Checked before the run; something may have put files there since.
  if (!fs::is_directory(t.final_path, ec) || !directory_is_replaceable(t.final_path))
    throw OutputPathError(describe(t.option, t.given) + ": became something other than an iscsim output "
                          "directory while the command ran; not replaced");
  // Swap the new directory in atomically, then remove the old one (now under the sibling's name).
  if (::renameat2(AT_FDCWD, t.staged.c_str(), AT_FDCWD, t.final_path.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(t.staged, ec);
    return;
  }
  if (errno != EINVAL && errno != ENOSYS)
    throw std::system_error(errno, std::generic_category(), t.final_path.string() + ": cannot replace");
  const fs::path old = t.sibling.string() + kOldSuffix;
  register_cleanup_path(old.string(), Removal::Tree);
  fs::rename(t.final_path, old);
  fs::rename(t.staged, t.final_path);
  fs::remove_all(old, ec);
  unregister_cleanup_path(old.string());
}

void StagedOutput::commit() {
  std::error_code ec;
  if (!scratch_.empty()) fs::remove_all(scratch_, ec);
  for (const Target& t : targets_)
    if (!t.directory && !fs::is_regular_file(t.staged, ec))
      throw std::logic_error(describe(t.option, t.given) + ": was never written");
  for (const Target& t : targets_) {
    if (t.within) continue;
    if (t.directory) {
      commit_directory(t);
    } else {
      fs::rename(t.staged, t.final_path);
      fs::remove(t.sibling);
    }
    unregister_cleanup_path(t.sibling.string());
  }
  for (const fs::path& p : created_) unregister_cleanup_path(p.string());
  committed_ = true;
}

void StagedOutput::discard() noexcept {
  std::error_code ec;
  for (const Target& t : targets_) {
    if (t.sibling.empty()) continue;
    fs::remove_all(t.sibling, ec);
    unregister_cleanup_path(t.sibling.string());
  }
  for (auto p = created_.rbegin(); p != created_.rend(); ++p) {
    fs::remove(*p, ec);  // only if empty: something else may have appeared there meanwhile
    unregister_cleanup_path(p->string());
  }
  created_.clear();
}

StagedOutput::~StagedOutput() {
  if (!committed_) discard();
}

}  // namespace iscsim::results

namespace iscsim::world {

namespace fs = std::filesystem;

void write_file_atomically(const std::string& dir, const std::string& name, const std::string& content) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory: " + ec.message());
  const std::string path = (fs::path(dir) / name).string();
  const std::string partial = path + results::kPartialInfix + std::to_string(::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error(path + ": cannot write: disk full or no permission?");
  }
  fs::rename(partial, path, ec);
  if (ec) throw std::runtime_error(path + ": cannot move the finished file into place: " + ec.message());
}

}  // namespace iscsim::world
