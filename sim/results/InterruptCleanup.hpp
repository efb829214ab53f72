#pragma once
// What a process that writes outputs does on SIGINT, SIGTERM or SIGHUP: it removes the partial
// outputs registered here, passes the signal on to registered child processes, and exits with
// status 128 + the signal number (130, 143, 129). The handler only makes async-signal-safe calls.
// StagedOutput (OutputDir.hpp) registers its paths itself; a command that runs child processes
// (a sweep) registers them with register_child.
#include <string>

#include <sys/types.h>

namespace iscsim::results {

// Installs the handlers, or installs them again after a library replaced them (SimGrid's engine
// installs its own SIGINT handler when it starts). A signal the process was started with
// ignored (`nohup`, a background job) stays ignored.
void arm_interrupt_cleanup();
// Hold the signals back (they stay pending) until release_interrupts(), across a library's start:
// one that arrives while the library's own handler is in place reaches ours once armed again.
void hold_interrupts();
void release_interrupts();

enum class Removal {
  Tree,     // the path and everything under it
  IfEmpty,  // a directory created on the way, removed only if nothing else appeared in it
};
// At most a few dozen paths at once; more is an internal error (std::length_error).
void register_cleanup_path(const std::string& path, Removal how);
void unregister_cleanup_path(const std::string& path);

void register_child(pid_t pid);
void unregister_child(pid_t pid);

}  // namespace iscsim::results
