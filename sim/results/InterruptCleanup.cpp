#include "sim/results/InterruptCleanup.hpp"

#include <array>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace iscsim::results {

namespace {

// Enough for every output of one command and the directories created on the way to them.
constexpr std::size_t kMaxPaths = 64;
// A sweep's local processes at once (-j N).
constexpr std::size_t kMaxChildren = 256;
// Ctrl-C, kill, and the terminal going away.
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};
// Shell convention: a process ended by signal N reports 128 + N.
constexpr int kSignalExitBase = 128;
constexpr std::size_t kDirentBufferBytes = 4096;

// Fixed storage the handler can read without allocating or locking. Writers block the signals
// while they change it, so the handler never sees a half-written slot.
struct PathSlot {
  std::array<char, PATH_MAX> path{};
  Removal how = Removal::Tree;
  bool used = false;
};
std::array<PathSlot, kMaxPaths> g_paths;
std::array<pid_t, kMaxChildren> g_children{};
// Whether each signal was ignored when first armed (index as kSignals); those stay ignored.
std::array<bool, std::size(kSignals)> g_ignored{};
bool g_armed_once = false;
sigset_t g_before_hold;  // the mask hold_interrupts() replaced

// The signals this file handles, as a set.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kSignals) sigaddset(&set, s);
  return set;
}

class SignalsBlocked {
 public:
  SignalsBlocked() {
    const sigset_t block = handled_signals();
    pthread_sigmask(SIG_BLOCK, &block, &old_);
  }
  ~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

bool is_dot_or_dotdot(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

// Removes `name` under `dir_fd` and, for a directory, everything in it, with system calls only
// (async-signal-safe). Each pass over a directory restarts after a removal, since removing
// entries while reading a directory may make the reading skip some.
void remove_tree(int dir_fd, const char* name) {
  if (::unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT) return;
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  alignas(dirent64) char buf[kDirentBufferBytes];
  for (bool removed = true; removed;) {
    removed = false;
    ::lseek(fd, 0, SEEK_SET);
    for (ssize_t n; !removed && (n = ::getdents64(fd, buf, sizeof buf)) > 0;) {
      for (ssize_t at = 0; at < n;) {
        const auto* d = reinterpret_cast<const dirent64*>(buf + at);
        at += d->d_reclen;
        if (is_dot_or_dotdot(d->d_name)) continue;
        remove_tree(fd, d->d_name);
        removed = true;
      }
    }
  }
  ::close(fd);
  ::unlinkat(dir_fd, name, AT_REMOVEDIR);
}

extern "C" void on_interrupt(int signal) {
  for (pid_t child : g_children)
    if (child > 0) ::kill(child, signal);
  for (const PathSlot& s : g_paths)
    if (s.used && s.how == Removal::Tree) remove_tree(AT_FDCWD, s.path.data());
  // Slots are in no particular order: passes until none goes remove nested created directories
  // innermost first whatever their order (a removed directory is no longer there to remove).
  for (bool removed = true; removed;) {
    removed = false;
    for (const PathSlot& s : g_paths)
      if (s.used && s.how == Removal::IfEmpty && ::rmdir(s.path.data()) == 0) removed = true;
  }
  ::_exit(kSignalExitBase + signal);
}

}  // namespace

void arm_interrupt_cleanup() {
  for (std::size_t i = 0; i < std::size(kSignals); ++i) {
    struct sigaction old {};
    if (!g_armed_once) {
      ::sigaction(kSignals[i], nullptr, &old);
      g_ignored[i] = old.sa_handler == SIG_IGN;
    }
    struct sigaction sa {};
    sa.sa_handler = g_ignored[i] ? SIG_IGN : on_interrupt;
    sa.sa_mask = handled_signals();
    ::sigaction(kSignals[i], &sa, nullptr);
  }
  g_armed_once = true;
}

void hold_interrupts() {
  const sigset_t block = handled_signals();
  pthread_sigmask(SIG_BLOCK, &block, &g_before_hold);
}

void release_interrupts() { pthread_sigmask(SIG_SETMASK, &g_before_hold, nullptr); }

void register_cleanup_path(const std::string& path, Removal how) {
  if (path.size() >= PATH_MAX) throw std::length_error(path + ": path too long to register for cleanup");
  const SignalsBlocked blocked;
  for (PathSlot& s : g_paths) {
    if (s.used) continue;
    std::memcpy(s.path.data(), path.c_str(), path.size() + 1);
    s.how = how;
    s.used = true;
    return;
  }
  throw std::length_error("more than " + std::to_string(kMaxPaths) + " partial outputs at once");
}

void unregister_cleanup_path(const std::string& path) {
  const SignalsBlocked blocked;
  for (PathSlot& s : g_paths)
    if (s.used && path == s.path.data()) s.used = false;
}

void register_child(pid_t pid) {
  const SignalsBlocked blocked;
  for (pid_t& c : g_children) {
    if (c != 0) continue;
    c = pid;
    return;
  }
  throw std::length_error("more than " + std::to_string(kMaxChildren) + " child processes at once");
}

void unregister_child(pid_t pid) {
  const SignalsBlocked blocked;
  for (pid_t& c : g_children)
    if (c == pid) c = 0;
}

}  // namespace iscsim::results
