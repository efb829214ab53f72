#include "sim/host/kernel/GlibcAio.hpp"

#include <string>
#include <utility>

namespace iscsim::host::kernel {

GlibcAio::GlibcAio(CpuSet& cpus, const KernelPaths& paths, int home_cpu, models::AddressSpace& memory,
                   AioObjectBytes bytes, models::Addr globals, TimedWaits waits, TimerWheel& timers, StartIo start,
                   FinishIo finish)
    : cpus_(cpus),
      paths_(paths),
      home_cpu_(home_cpu),
      memory_(memory),
      bytes_(bytes),
      globals_(globals),
      waits_(waits),
      timers_(timers),
      start_(std::move(start)),
      finish_(std::move(finish)) {}

GlibcAio::File& GlibcAio::file(std::size_t index) {
  std::unique_ptr<File>& slot = files_[index];
  if (!slot) {
    slot = std::make_unique<File>();
    File* f = slot.get();
    f->index = index;
    if (bytes_.aiocb > 0) f->aiocb = memory_.region(bytes_.aiocb);
    if (bytes_.request > 0) f->request = memory_.region(bytes_.request);
    if (timers_.modelled()) {
      f->worker_wait.timer = memory_.region(timers_.timer_bytes());
      f->helper_wait.timer = memory_.region(timers_.timer_bytes());
    }
    const std::string n = std::to_string(index);
    f->worker = cpus_.create_thread("dynamo" + n, [this, f] { return worker_run(*f); }, home_cpu_, kDynamoProcess);
    f->helper = cpus_.create_thread("aio" + n, [this, f] { return helper_run(*f); }, home_cpu_, kDynamoProcess);
  }
  return *slot;
}

void GlibcAio::submit(std::size_t index, stack::iscsi::ScsiRequest request) {
  File& f = file(index);
  f.asked.push_back(std::move(request));
  // While the file's I/O is in the kernel the worker waits in aio_suspend: what it asks for now
  // it asks once the helper's restart signal has woken it. Otherwise it is issuing already.
  if (!f.in_kernel) cpus_.wake(f.worker, cpus_.executing());
}

void GlibcAio::io_done(int cpu, std::size_t index) {
  File& f = file(index);
  f.ended = true;
  // end_kio_request wakes the helper sleeping in kiobuf_wait_for_io once the command's
  // buffer_heads are ended: after what the completing work touches.
  cpus_.wake_when_done(f.helper, cpu);
}

void GlibcAio::restart(int cpu, Thread* to, bool& signalled) {
  // LinuxThreads' __pthread_restart: kill() of the restart signal, whose send_sig_info wakes the
  // thread suspended in sigsuspend.
  cpus_.run(cpu, paths_.syscall, 1, 0);
  cpus_.run(cpu, paths_.signal_send, 1, 0);
  signalled = true;
  cpus_.wake(to, cpu);
}

void GlibcAio::suspend(int cpu, Wait& w, models::Picos timeout) {
  w.timed = timeout > 0;
  if (!w.timed) {
    cpus_.run(cpu, paths_.syscall, 1, 0);  // sigsuspend
    return;
  }
  // __pthread_timedsuspend_new: the caller's gettimeofday, sigsetjmp's and the unblocking
  // sigprocmask, gettimeofday, then nanosleep, whose schedule_timeout adds its timer.
  cpus_.run(cpu, paths_.syscall, waits_.syscalls_to_sleep, 0);
  const models::Picos now = cpus_.now();
  cpus_.run(cpu, paths_.mod_timer, 1, 0, timers_.mod_timer(w.timer, now + timeout, now).list());
}

void GlibcAio::deliver(int cpu, bool& signalled, Wait& w) {
  if (!signalled) return;
  signalled = false;
  // Woken from nanosleep, schedule_timeout takes its timer off (del_timer_sync) before the
  // signal is delivered on the way out.
  if (w.timed) cpus_.run(cpu, paths_.mod_timer, 1, 0, timers_.del_timer(w.timer, cpus_.now()).list());
  cpus_.run(cpu, paths_.signal_deliver, 1, 0);
  // The handler siglongjmps into the timed wait, restoring its mask; an untimed one returns
  // through sigreturn.
  cpus_.run(cpu, paths_.syscall, w.timed ? waits_.syscalls_on_restart : 1, 0);
  w.timed = false;
}

Work GlibcAio::worker_run(File& f) {
  return Work{[this, &f](int cpu) {
                deliver(cpu, f.worker_signalled, f.worker_wait);
                while (!f.asked.empty()) {
                  // IOmeter reads the last request's outcome (aio_error64, aio_return64), sets the
                  // aiocb for the next, and __aio_enqueue_request queues its element under the
                  // requests mutex: where the helper left those lines, they come from its CPU.
                  cpus_.run(cpu, paths_.dynamo_io, 1, 0, {aiocb(f, false)});
                  cpus_.run(cpu, paths_.aio_request, 1, 0, {aiocb(f, true), request(f), globals()});
                  f.queued.push_back(std::move(f.asked.front()));
                  f.asked.pop_front();
                }
                // glibc starts an idle helper for a descriptor none is working on.
                if (!f.queued.empty() && !f.in_kernel && !f.helper_signalled) restart(cpu, f.helper, f.helper_signalled);
                // aio_suspend64 with IOmeter's timeout: pthread_cond_timedwait.
                suspend(cpu, f.worker_wait, waits_.worker_timeout);
              },
              {}};
}

Work GlibcAio::helper_run(File& f) {
  return Work{[this, &f](int cpu) {
                deliver(cpu, f.helper_signalled, f.helper_wait);
                if (f.in_kernel && !f.ended) return;
                if (f.ended) {
                  // Back from the raw I/O (its return's own kernel work first): __aio_notify
                  // restarts the worker waiting in aio_suspend.
                  f.in_kernel = false;
                  f.ended = false;
                  finish_(cpu, f.index);
                  // The result into the aiocb; the element off the lists, under the mutex.
                  cpus_.run(cpu, paths_.aio_notify, 1, 0, {aiocb(f, true), request(f), globals()});
                  restart(cpu, f.worker, f.worker_signalled);
                }
                if (f.queued.empty()) {
                  // No request for the descriptor: the helper waits for one, for aio_idle_time
                  // (pthread_cond_timedwait).
                  suspend(cpu, f.helper_wait, waits_.helper_idle);
                  return;
                }
                // handle_fildes_io takes the request: the element marked running under the mutex,
                // then the aiocb's fields read for the system call (its code is aio_notify's).
                cpus_.run(cpu, paths_.aio_notify, 0, 0, {globals(), request(f), aiocb(f, false)});
                stack::iscsi::ScsiRequest r = std::move(f.queued.front());
                f.queued.pop_front();
                f.in_kernel = true;
                start_(cpu, f.index, std::move(r));
              },
              {}};
}

}  // namespace iscsim::host::kernel
