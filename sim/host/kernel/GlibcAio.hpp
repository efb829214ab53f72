#pragma once
// IOmeter's workers as Linux 2.4 runs them. Each worker (a thread of the dynamo process) has its
// own open raw device and submits through glibc's POSIX AIO, which runs one request of a file
// descriptor at a time in a helper thread: the helper's read or write blocks until the raw I/O
// is done (2.4's brw_kiovec waits for it), so a file never has two I/Os in the kernel. Threads
// wake each other the LinuxThreads way: a kill() of the restart signal, and its delivery when
// the woken thread returns to user mode.
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>

#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/DynamoIo.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/TimerWheel.hpp"
#include "sim/stack/iscsi/InitiatorSession.hpp"

namespace iscsim::host::kernel {

class GlibcAio {
 public:
  // The helper's system call, from its entry into the kernel to the command handed to the iSCSI
  // driver, for the request of worker `file`; charged on `cpu`.
  using StartIo = std::function<void(int cpu, std::size_t file, stack::iscsi::ScsiRequest request)>;
  // Its return from the ended I/O of worker `file`, on `cpu` where the helper woke.
  using FinishIo = std::function<void(int cpu, std::size_t file)>;

  // A worker's threads are named for its number (dynamo3, aio3) and start on `home_cpu`. Each
  // worker's aiocb and request element come from `memory`; `globals` is the process's (0: none).
  // Their timed waits sleep in nanosleep on the kernel's `timers`.
  GlibcAio(CpuSet& cpus, const KernelPaths& paths, int home_cpu, models::AddressSpace& memory, AioObjectBytes bytes,
           models::Addr globals, TimedWaits waits, TimerWheel& timers, StartIo start, FinishIo finish);

  // Worker `file` asks for an I/O (aio_read64 or aio_write64).
  void submit(std::size_t file, stack::iscsi::ScsiRequest request);
  // The raw I/O of worker `file` has ended on `cpu` (end_kio_request): its helper wakes.
  void io_done(int cpu, std::size_t file);

 private:
  // A thread's timed wait: the timer_list its nanosleep's schedule_timeout puts in its frames,
  // and whether it sleeps on it now.
  struct Wait {
    models::Addr timer = 0;
    bool timed = false;
  };
  struct File {
    std::size_t index = 0;     // the worker's number
    Thread* worker = nullptr;  // IOmeter's grunt: issues, then waits in aio_suspend
    Thread* helper = nullptr;  // glibc's: runs the file's requests one at a time
    std::deque<stack::iscsi::ScsiRequest> asked;   // from the workload, not yet passed to glibc
    std::deque<stack::iscsi::ScsiRequest> queued;  // glibc's list for the descriptor
    bool in_kernel = false;        // the helper's raw I/O has not returned
    bool ended = false;            // ... and has ended: the helper returns from it when it runs
    bool worker_signalled = false;  // a restart signal waits for delivery to the worker
    bool helper_signalled = false;  // ... to the helper
    Wait worker_wait;               // how the worker sleeps in aio_suspend
    Wait helper_wait;               // ... and the helper with no request
    models::Addr aiocb = 0;    // the worker's (0: not modelled)
    models::Addr request = 0;  // its element of glibc's request lists (0: not modelled)
  };
  File& file(std::size_t index);
  Work worker_run(File& f);
  Work helper_run(File& f);
  // kill() of the restart signal from `cpu`, and the wake-up of `to`.
  void restart(int cpu, Thread* to, bool& signalled);
  // pthread_cond_wait, or pthread_cond_timedwait for `timeout` (0: untimed), on `cpu`, up to the
  // sleep: LinuxThreads' system calls and, timed, nanosleep's timer.
  void suspend(int cpu, Wait& w, models::Picos timeout);
  // Woken by the restart signal: the timer off the lists, the signal's delivery on return to user
  // mode, and the handler's way back (siglongjmp's sigprocmask, or sigreturn when untimed).
  void deliver(int cpu, bool& signalled, Wait& w);
  // What of glibc's AIO data a pass touches: `f`'s aiocb (read, or written with `write`) and
  // request element, and the process's globals, each nothing when not modelled.
  models::Touch aiocb(const File& f, bool write) const { return models::modelled(f.aiocb, bytes_.aiocb, write); }
  models::Touch request(const File& f) const { return models::modelled(f.request, bytes_.request, true); }
  models::Touch globals() const { return models::modelled(globals_, bytes_.globals, true); }

  CpuSet& cpus_;
  const KernelPaths& paths_;
  int home_cpu_;
  models::AddressSpace& memory_;
  AioObjectBytes bytes_;
  models::Addr globals_;
  TimedWaits waits_;
  TimerWheel& timers_;
  StartIo start_;
  FinishIo finish_;
  std::map<std::size_t, std::unique_ptr<File>> files_;  // by worker
};

}  // namespace iscsim::host::kernel
