#pragma once
// The CPUs of an SMP kernel: each runs hard interrupts, then softirqs, then threads from one
// global run queue (Linux 2.4). A hard interrupt preempts what runs and the remainder resumes
// after it; a thread woken for a CPU other than the waker's is sent there by an IPI when that
// CPU idles. Work does its protocol effects when it starts and charges its cost then; its
// outputs (frames to the NIC) leave when its cycles have elapsed.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"
#include "sim/host/CostedHost.hpp"
#include "sim/host/kernel/SpinLockHolds.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/Timeline.hpp"

namespace iscsim::host::kernel {

using models::Picos;

// The code paths the scheduler itself charges.
struct SchedulerPaths {
  models::PathId schedule = 0;
  models::PathId wake_up = 0;
  models::PathId ipi_handler = 0;
  models::PathId send_ipi = 0;  // the sender's side of an IPI: the local APIC's ICR written
  models::PathId irq_entry = 0;  // a device's interrupt entered and left (do_IRQ, the IO-APIC)
  models::PathId spin_lock_wait = 0;
  models::PathId softirq = 0;  // do_softirq: where an interrupt held during a handler is taken
  models::PathId apic_entry = 0;  // an IPI's or the local timer's (BUILD_SMP_INTERRUPT's stub)
};

// One piece of work: `start(cpu)` does it and charges its paths through CpuSet::run; `finish`
// runs when its cycles have elapsed (may be empty). `name` is what the timeline calls an
// interrupt or softirq (a literal or a string its host owns); a thread's own name is used.
// `above_devices`: an interrupt whose local APIC vector is in a higher priority class than any
// device's (2.4's local timer, 0xef, and IPIs, 0xfb-0xfd), so it nests into a device's handler,
// which 2.4 runs with interrupts on.
struct Work {
  std::function<void(int cpu)> start;
  std::function<void()> finish;
  std::string_view name{};
  bool above_devices = false;
};

// Linux 2.4's goodness(): a runnable thread's weight is its time slice left (`counter`, in ticks)
// + 20 - nice, + PROC_CHANGE_PENALTY on the CPU it last ran on, + 1 in the loaded address space
// or as a kernel thread; 0 once its slice is spent. All zero (the default): no time slices and
// no preferences, run-queue order alone decides.
struct SchedulerWeights {
  int timeslice_ticks = 0;      // NICE_TO_TICKS(nice): a slice, and what each recalculation adds
  int base_weight = 0;          // 20 - nice
  int proc_change_penalty = 0;  // bonus on the thread's last CPU
  int same_mm_bonus = 0;        // bonus for a thread that needs no address-space switch
};

// What of a Linux 2.4 task the scheduler and wake-ups touch, in bytes (zero: not modelled): its
// task_struct's hot fields; its kernel stack (the top of its 8 KB task_union): the frames a
// sleeping thread resumes through, and below them those an interrupt pushes on whatever task it
// interrupts (i386 2.4 has no separate interrupt stacks); and the wait-queue head it sleeps on.
struct TaskObjectBytes {
  std::uint32_t task_hot = 0;
  std::uint32_t stack_resume = 0;
  std::uint32_t stack_interrupt = 0;
  std::uint32_t wait_queue = 0;
};

// A thread's address space: a kernel thread has none (it borrows the last one, lazy TLB); the
// threads of one user process share theirs.
inline constexpr int kKernelThread = -1;

class Thread {
 public:
  const std::string& name() const { return name_; }
  int last_cpu() const { return last_cpu_; }
  // Neither running nor runnable: it sleeps until woken.
  bool asleep() const { return !running_ && !queued_; }

 private:
  friend class CpuSet;
  std::string name_;
  std::function<Work()> body;  // one run: handle everything pending, then sleep
  int last_cpu_ = 0;
  bool queued_ = false;
  bool running_ = false;
  bool rerun_ = false;  // woken while running: run again before sleeping
  int counter_ = 0;     // ticks left of its time slice (2.4 task_struct.counter)
  // When it joined the run queue: 2.4 adds at the head and scans from it, so on a tie the latest
  // wins (the queue's own order means nothing).
  std::uint64_t queued_at_ = 0;
  models::Addr task_ = 0;   // its task_struct's hot fields (0: not modelled)
  models::Addr stack_ = 0;  // its kernel stack's frames: resume, then interrupt (0: not modelled)
  models::Addr waitq_ = 0;  // the wait-queue head it sleeps on (0: not modelled)
  int mm_ = kKernelThread;
  int bound_cpu_ = -1;    // cpus_allowed of one CPU (ksoftirqd), or -1: any
  int nice_ = 0;
  int slice_ticks_ = -1;  // NICE_TO_TICKS(nice_); -1: the scheduler's slice for nice 0
  // While the cost model counts: cycles per CPU, runs, and runs begun away from its last CPU.
  std::vector<double> window_cycles_;
  std::uint64_t window_runs_ = 0;
  std::uint64_t window_migrations_ = 0;
};

// When the `index`th of `count` CPUs' periodic events (a tick, a profiler's NMI) first fires: the
// CPUs' events spread evenly over one period, so no two fire together.
inline Picos staggered_phase(Picos period, int index, int count) { return period * (index + 1) / (count + 1); }

class CpuSet {
 public:
  CpuSet(world::Calendar& calendar, models::CpuCostModel& cost, SchedulerPaths paths, int cpus);

  // Runs `calls` calls of `path` on `cpu` within the work now starting there; adds to its time.
  models::Cost run(int cpu, models::PathId path, double calls, std::uint64_t bytes,
                   models::Touches touches = {});
  // A hard interrupt on `cpu`: `w` preempts anything but another hard interrupt.
  void raise_irq(int cpu, Work w);
  // A device's handler that goes on where its work ends (e1000_intr's loop found more work):
  // `w` runs next on `cpu`, in the same interrupt, with no new entry and no clear. Call it from
  // that handler's work, as an effect deferred to its end (defer()).
  void continue_irq(int cpu, Work w);
  // The scheduler's own data, so its lines move between CPUs as the real ones do: the global
  // runqueue and its lock, each CPU's schedule_data, each task's hot fields (state, counter,
  // processor, run-list links), read and written by schedule() and wake-ups; each task's kernel
  // stack, which schedule() resumes the next thread through; and the wait-queue head it sleeps
  // on, which its waker locks, reading its entry (on the sleeper's stack) to wake it.
  void set_scheduler_objects(models::AddressSpace& memory, TaskObjectBytes bytes);
  // The frames an interrupt entering `cpu` now writes: on the stack of the task it interrupts (a
  // thread, or the CPU's idle task). Empty when stacks are not modelled.
  models::Touch interrupt_frames(int cpu) const;
  // Every CPU's local APIC timer interrupts it each `period` (HZ), running interrupt entry and
  // `handler` (update_process_times); the CPUs' timers are out of phase with each other.
  void start_local_timers(Picos period, models::PathId handler);
  // A sampling profiler's NMI on every CPU each `period` of its non-halted time (0: none). Its
  // samples also place interrupts' clears: in the handlers' entry (interrupt()).
  void start_profiler(Picos period);
  // Called with the CPU of each sample the profiler takes (its daemon's buffers fill).
  void on_profiler_sample(std::function<void(int cpu)> f) { on_sample_ = std::move(f); }
  // A softirq on `cpu`: runs after pending hard interrupts, before threads resume.
  void raise_softirq(int cpu, Work w);
  // Each CPU's ksoftirqd (2.4.17 kernel/softirq.c): a kernel thread bound to it at `nice`, a slice
  // of `slice` ticks, that do_softirq wakes when a vector it ran is raised again before it
  // returns; each run is one do_softirq (the `softirq` path) that finds that vector's work done.
  void start_ksoftirqd(int nice, int slice);
  // cpu_raise_softirq's pending bit for softirq `vector` (2.4's number) on `cpu`, set wherever the
  // kernel raises it (raise_softirq queues the work it stands for, once): raised again inside a
  // do_softirq that already ran it, the vector is left to ksoftirqd.
  void mark_softirq_pending(int cpu, int vector);
  Thread* create_thread(std::string name, std::function<Work()> body, int home_cpu, int mm = kKernelThread);
  // Makes `t` runnable. `waker` is the CPU whose work wakes it (-1: a device or timer).
  void wake(Thread* t, int waker);
  // A wake-up that the work now running on `cpu` does as its last act (end_kio_request once a
  // command's buffer_heads are ended): charged within that work, runnable when it is done.
  void wake_when_done(Thread* t, int cpu);
  // Runs a path on `owner` on behalf of work elsewhere (a segment processed from a socket's
  // backlog when its owner releases it): `owner`'s current work takes that much longer, and the
  // path's lines move at that work's end.
  void run_for(int owner, models::PathId path, double calls, models::Touches touches = {});
  // Runs `effect` when the work now starting on `cpu` has finished (a wake-up it sends).
  void defer(int cpu, std::function<void()> effect);
  // Runs `effect` once the work now starting on `cpu` has done what it charged so far, however
  // much more it goes on to charge (a segment leaves as soon as it is built, not when the whole
  // sendmsg or softirq that builds it ends); outside such work, once `cpu`'s work has finished.
  void defer_at_done(int cpu, std::function<void()> effect);
  // The spin lock (io_request_lock): `cpu`'s current work takes it here, and gives it back at
  // unlock, having held it `turns` times, each for `locked_share` of its turn (2.4 takes it in
  // __make_request once a buffer_head; 0: not at all). A CPU that wants it while another holds
  // it spins (charged to the lock-wait path); one whose hold was booked for later gives way.
  void lock(int cpu);
  void unlock(int cpu, double turns = 1, double locked_share = 1);
  // The CPU whose work is starting now (-1 outside work): where a send or wake-up is charged.
  int executing() const { return executing_; }
  models::Picos now() const { return calendar_.now(); }
  int cpus() const { return static_cast<int>(cpus_.size()); }
  std::uint64_t ipis() const { return ipis_; }
  std::uint64_t context_switches() const { return switches_; }
  // Where each thread that ran while the cost model counted ran, in creation order.
  std::vector<ThreadUsage> thread_usage() const;
  std::uint64_t preemptions() const { return preemptions_; }
  // `cpu`'s interrupts, IPIs, context switches and preemptions while the cost model counts.
  const CpuEvents& events(int cpu) const { return cpus_[cpu].events; }
  // From a CPU outside this set (a packet engine): an IPI to the CPU `t` slept on, whose handler
  // wakes it as wake() would.
  void wake_by_ipi(Thread* t);
  // From a CPU outside this set: an IPI to `cpu` whose handler also runs `handler` (an event
  // callback in interrupt context).
  void ipi_call(int cpu, std::function<void(int cpu)> handler);
  // A CPU outside this set (a packet engine) whose resident SCHED_OTHER thread never calls
  // schedule(): 2.4's reschedule_idle() weighs it like any busy CPU, and when it picks it (its
  // resident's slice spent, goodness 0), sets a need_resched nobody reads and sends `ipi`. The
  // returned thread's slice is taken by tick_foreign() and recharged with everyone's.
  Thread* add_foreign_cpu(std::string name, std::function<void()> ipi);
  void tick_foreign(Thread* resident);
  // Time slices and goodness() as Linux 2.4 weighs threads; resets every thread's slice.
  void set_scheduler_weights(SchedulerWeights w);
  // A CPU with nothing to run spins in `path` (polling) instead of halting: that time is charged
  // to the path's bin when the CPU next starts work.
  void set_idle_path(models::PathId path) { idle_path_ = path; }
  // Linux 2.4's idle=poll: an idle CPU spins on need_resched (poll_idle) instead of halting.
  void set_idle_polls() { idle_polls_ = true; }
  // Reports work, interrupts, IPIs, switches, migrations and the run queue to `timeline`:
  // CPU i on tracks[i], the run queue as a counter of `queue`'s process.
  void trace_to(world::Timeline* timeline, std::vector<world::TimelineTrack> tracks, world::TimelineTrack queue);

 private:
  enum class Level { HardIrq, SoftIrq, Thread };
  struct Job {
    Level level = Level::Thread;
    Work work;
    double entry_cycles = 0;  // a hard interrupt's: the clear it caused, charged before its work
    Thread* thread = nullptr;
    Picos end = 0;        // while current
    Picos remaining = 0;  // while preempted
    models::Piece piece;  // while preempted: the data its loads may have in flight
    std::vector<std::function<void()>> deferred;
    // Effects due once the piece has worked a given time (defer_at_done), in that order.
    struct Timed {
      Picos at_work = 0;
      std::function<void()> effect;
      bool done = false;
    };
    std::vector<Timed> timed;
    std::uint64_t id = 0;   // which piece a timed effect that comes due belongs to
    Picos worked = 0;       // its work before the run now going on
    Picos run_start = 0;    // when that run began
    world::WorkSlice slice;  // tracing only: the piece now running and the paths it charged
  };
  struct Cpu {
    bool busy = false;
    Job current;
    std::uint64_t generation = 0;
    std::vector<Job> preempted;  // a stack: the innermost resumes first
    std::deque<std::pair<Work, double>> hard;  // each with its entry cycles
    std::deque<Work> soft;
    Thread* last_thread = nullptr;
    int active_mm = kKernelThread;  // the address space its CR3 holds
    bool schedules = false;         // owes a schedule(): its thread slept (not back from an interrupt)
    bool need_resched = false;      // 2.4's need_resched of its current task: schedule() at the next chance
    Thread* still_running = nullptr;  // its thread ended a run with more to do: back to its loop
    Picos last_schedule = 0;        // when it last called schedule() (reschedule_idle: oldest idle first)
    bool ipi_pending = false;
    // 2.4's do_softirq on this CPU: the vectors raised since it last began; whether one is under
    // way (from the end of the interrupt that calls it until its queue is empty), the vectors it
    // has run, and whether one of them was raised again. `irq_continues`: the interrupt ending now
    // goes on (e1000_intr's loop), so its do_softirq has not begun.
    std::uint32_t softirq_pending = 0;
    bool softirq_running = false;
    std::uint32_t softirq_ran = 0;
    bool softirq_reraised = false;
    bool irq_continues = false;
    CpuEvents events;
    bool idle = true;
    Picos idle_since = 0;
  };

  bool idle(int cpu) const;
  // 2.4's in_interrupt() under what `c` runs next: a hard interrupt or softirq below it.
  static bool in_interrupt(const Cpu& c);
  // do_softirq begins on `c`: it takes the pending vectors.
  static void begin_softirqs(Cpu& c);
  // After a hard interrupt or softirq ends on `cpu`: do_softirq begins at an outermost
  // interrupt's end, and ends when no softirq is left, waking ksoftirqd for a vector raised again.
  void after_hard_irq(int cpu);
  void after_softirq(int cpu);
  int slice_ticks(const Thread& t) const { return t.slice_ticks_ >= 0 ? t.slice_ticks_ : weights_.timeslice_ticks; }
  void dispatch(int cpu);
  void begin(int cpu, Job job);
  void complete(int cpu, std::uint64_t generation);
  // The current piece (re)starts running now: its timed effects still due before its end are
  // scheduled for when it will have worked their time.
  void arm_timed(int cpu);
  // When `t` comes due in `j`'s run now going on.
  static Picos due_at(const Job& j, const Job::Timed& t);
  // Runs the timed effect `key` names (arm_timed packs piece, index and CPU) if it is due now.
  void fire_timed(std::uint64_t key);
  static constexpr int kTimedIndexBits = 20;
  static constexpr std::uint64_t kTimedIndexMask = (std::uint64_t{1} << kTimedIndexBits) - 1;
  // Schedules complete(cpu, generation) at `at`.
  void complete_at(Picos at, int cpu, std::uint64_t generation);
  models::Addr new_stack();  // a kernel stack's frames, as set_scheduler_objects sized them
  std::uint32_t line_bytes() const { return memory_ != nullptr ? memory_->line_bytes() : 0; }
  // wake_up() of `t` on `cpu`: its wait queue, its entry, the run queue, its task; with
  // `reads_sched_data`, reschedule_idle's read of its last CPU's schedule_data.
  void run_wake_up(int cpu, const Thread& t, bool reads_sched_data);
  // schedule() switching `cpu` from `prev` to `next` (nullptr: the CPU's idle task). 2.4 runs it
  // at every switch, to and from the idle task too (kernel/sched.c: prev == next alone skips it).
  void charge_switch(int cpu, const Thread* prev, const Thread* next);
  // `cpu`'s entry of a per-CPU scheduler object (0 where none is modelled).
  static models::Addr per_cpu_object(const std::vector<models::Addr>& per_cpu, int cpu) {
    return per_cpu.empty() ? 0 : per_cpu[static_cast<std::size_t>(cpu)];
  }
  // wake_up()'s cost on `cpu` if `t` sleeps.
  void charge_wake_up(int cpu, const Thread& t);
  // Enqueues a sleeping `t` and tells the CPU reschedule_idle() picks for it; a running one runs
  // again before it sleeps.
  void make_runnable(Thread* t, int waker);
  Thread* pick(int cpu);
  // schedule()'s choice for `cpu` among the run queue and `prev` (still runnable, or null): the
  // highest goodness, the run queue's head first on a tie; every slice recharged when all are spent.
  Thread* choose(int cpu, Thread* prev);
  int goodness(const Thread& t, int cpu, int mm) const;
  // The thread whose context `cpu` holds (2.4 cpu_curr), under any interrupt; null: its idle task.
  Thread* current_thread(int cpu) const;
  // update_process_times on `cpu`'s tick: its current thread's slice shrinks; spent, it must yield.
  void tick(int cpu);
  // One tick off `t`'s slice (none left stays none); whether it is spent. False without slices.
  bool take_tick(Thread& t);
  // An IPI to `cpu` from `sender`, which pays for sending it (-1: a CPU outside this set, which
  // pays its own); one already pending for `cpu` is not sent again.
  void send_ipi(int cpu, int sender, std::function<void(int)> handler = {});
  // The sender's side of an IPI: `sender` writes the local APIC's ICR (a CPU outside this set,
  // -1, pays its own), then `leave` sends it, once the sender's work has got there.
  void send_from(int sender, std::function<void()> leave);
  // `effect` once the piece being charged now (if any) has done what is charged so far.
  void at_this_point(std::function<void()> effect);
  void leave_idle(int cpu);
  // `cycles` of waiting for the spin lock on `cpu`: its starting work's, or for_another, the
  // work it is running while another CPU's work starts.
  void spin(int cpu, double cycles, bool for_another);
  void local_timer(int cpu, Picos period, models::PathId handler);
  void profiler_sample(int cpu, Picos period);
  // Halted in 2.4's default_idle (hlt): no clock counts, no pipeline to flush.
  bool halted(const Cpu& c) const { return !c.busy && c.idle && !spins_when_idle(); }
  // 2.4 reschedule_idle() for `t` woken by work on `waker` (-1: none): the CPU told to
  // reschedule (need_resched set there), or -1; `ipi` whether that takes an IPI.
  struct Resched {
    int cpu = -1;
    bool ipi = false;
  };
  Resched reschedule_idle(const Thread* t, int waker);
  // add_to_runqueue(): queued, stamped as the run queue's newest (2.4 puts it at the head).
  void enqueue(Thread* t);
  // Tells the CPU reschedule_idle() chose, woken by work on `waker`: an IPI, a foreign CPU's
  // IPI, or (a polling idle CPU) nothing but a look at need_resched.
  void tell(const Resched& r, int waker);
  // Queues `w` as a hard interrupt on `cpu`, preempting what runs there.
  void interrupt(int cpu, Work w);
  // The path whose code an interrupt held during a hard interrupt's handler flushes: 2.4's do_IRQ
  // ends in do_softirq, which turns interrupts on (there, if a softirq is pending and none runs
  // already); else the handler's iret, into what it interrupted (kNoPath: the idle loop).
  models::PathId held_interrupt_path(const Cpu& c) const;
  // Timeline: ends the piece of `job` running on `cpu` now; marks the run queue's length.
  void trace_piece(int cpu, Job& job);
  void trace_queue();

  world::Calendar& calendar_;
  models::CpuCostModel& cost_;
  SchedulerPaths paths_;
  std::vector<Cpu> cpus_;
  std::vector<std::unique_ptr<Thread>> threads_;
  struct Foreign {
    Thread* resident;
    std::function<void()> ipi;
  };
  std::vector<Foreign> foreign_;  // CPU cpus() + i
  std::vector<Thread*> runq_;  // runnable threads not on a CPU, in no particular order
  std::vector<Thread*> ksoftirqd_;  // per CPU, once started
  std::uint64_t enqueues_ = 0;
  SchedulerWeights weights_;
  std::vector<double> job_cycles_;  // cycles of the work starting on each CPU
  // Storage of finished jobs' deferred effects, for the next jobs: no allocation per job.
  std::vector<std::vector<std::function<void()>>> spare_deferred_;
  std::uint64_t pieces_ = 0;  // pieces begun, for Job::id
  SpinLockHolds lock_holds_;
  std::vector<double> lock_reach_cycles_;  // per CPU: its work's cycles where it took the lock
  int executing_ = -1;
  std::optional<models::PathId> idle_path_;
  bool idle_polls_ = false;
  bool nmi_sampling_ = false;  // a profiler samples by NMI (start_profiler)
  std::function<void(int)> on_sample_;
  // An idle CPU that polls (an AMP host's event queue, or 2.4's idle=poll) rather than halts.
  bool spins_when_idle() const { return idle_path_.has_value() || idle_polls_; }
  models::AddressSpace* memory_ = nullptr;
  TaskObjectBytes task_bytes_;
  std::vector<models::Addr> idle_stacks_;  // per CPU: its idle task's kernel stack
  std::vector<models::Addr> idle_tasks_;   // per CPU: its idle task's task_struct hot fields
  models::Addr runqueue_ = 0;             // runqueue_head and runqueue_lock: one line
  std::vector<models::Addr> sched_data_;  // per CPU: aligned_data[cpu].schedule_data (curr, last_schedule)
  std::uint64_t ipis_ = 0;
  std::uint64_t switches_ = 0;
  std::uint64_t preemptions_ = 0;
  world::Timeline* timeline_ = nullptr;
  std::vector<world::TimelineTrack> tracks_;
  world::TimelineTrack queue_track_;
};

}  // namespace iscsim::host::kernel
