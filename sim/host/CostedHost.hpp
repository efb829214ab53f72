#pragma once
// A host whose software runs on simulated CPUs (smp, amp): what results read from it. The
// ideal host has none of this.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/CpuCostModel.hpp"

namespace iscsim::host {

// What a CPU does in the architecture: any work (smp), the host side, or a packet engine (amp).
enum class CpuRole { Cpu, Host, Ppe };
const char* role_name(CpuRole role);

// Events that interrupt or reschedule a CPU, counted in the measured window.
struct CpuEvents {
  std::uint64_t interrupts = 0;  // device interrupts and local timer ticks
  std::uint64_t ipis = 0;        // inter-processor interrupts received
  std::uint64_t context_switches = 0;
  std::uint64_t preemptions = 0;  // work interrupted and resumed later
  std::uint64_t profiler_samples = 0;  // sampling NMIs taken (host.profiler)
};

// Where one thread of a host's kernel ran while counting was on: its cycles on each CPU (the
// schedule() that switched to it included), its runs, and the runs that began on a CPU other than
// its last.
struct ThreadUsage {
  std::string name;
  std::vector<double> cycles;  // per CPU of the host
  std::uint64_t runs = 0;
  std::uint64_t migrations = 0;
};

class CostedHost {
 public:
  virtual ~CostedHost() = default;
  virtual const models::CpuCostModel& cost() const = 0;
  // Counters of the cost model and the events count only while counting is on (the window).
  virtual void set_counting(bool on) = 0;
  virtual int cpu_count() const = 0;
  virtual CpuRole role(int cpu) const = 0;
  virtual CpuEvents events(int cpu) const = 0;
  // Every thread its kernel runs, in creation order (none on a CPU the kernel does not schedule).
  virtual std::vector<ThreadUsage> threads() const = 0;
  // Instructions `cpu` retired while idle for `idle_cycles` (an idle loop, or a PPE's empty polls).
  virtual double idle_instructions(int cpu, double idle_cycles) const = 0;
  // Host-wide counts over the whole run (interrupts, IPIs, queue traffic, ...).
  virtual nlohmann::json stats() const = 0;
};

}  // namespace iscsim::host
