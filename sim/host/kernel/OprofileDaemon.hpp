#pragma once
// OProfile's daemon (oprofiled) on a Linux 2.4 host: the NMI handler writes each sample into its
// CPU's buffer in the kernel, and when a buffer fills the daemon, a user process of its own, reads
// it (read() copies it out) and files every sample: a bucket of the image's hash table and the
// node it counts in, in the sample file it maps. The paper's "others" bin holds this work.
#include <cstdint>
#include <memory>
#include <vector>

#include "models/memory/AddressSpace.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"

namespace iscsim::host::kernel {

// The daemon's address space: not dynamo's, so switching between them loads CR3.
inline constexpr int kOprofiledProcess = 1;

// What the daemon moves and touches (models/params/profiler/); sample_bytes 0: no daemon.
struct OprofileDaemonParams {
  std::uint32_t sample_bytes = 0;       // one sample in a CPU's buffer
  std::uint32_t wake_samples = 0;       // samples a CPU's buffer holds when the module wakes the daemon
  std::uint32_t drain_samples = 0;      // ... when the model's daemon reads it (a share of a burst)
  std::uint32_t sample_file_nodes = 0;  // nodes of the sample files a burst's samples fall in
  std::uint32_t node_bytes = 0;         // one node (key, count, chain link)
  std::uint32_t bucket_bytes = 0;       // one entry of a hash table
};

class OprofileDaemon {
 public:
  // `filed` is the path that files one sample (its bin: others); `read_path` the system call
  // entry and `copy` the read's copy out of the kernel.
  OprofileDaemon(CpuSet& cpus, models::AddressSpace& memory, const OprofileDaemonParams& params, int cpus_sampled,
                 models::PathId filed, models::PathId read_path, models::PathId copy);

  // The daemon of a profiler sampling every `period` (0: none), fed by `cpus`' samples and filing
  // with `paths`' code; null when there is no profiler or it has no daemon (sample_bytes 0).
  static std::unique_ptr<OprofileDaemon> attach(CpuSet& cpus, models::AddressSpace& memory,
                                                const OprofileDaemonParams& params, models::Picos period,
                                                int cpus_sampled, const KernelPaths& paths);

  // A sample taken on `cpu` (any CPU the profiler samples, packet engines included), from its NMI:
  // a full buffer wakes the daemon.
  void sample(int cpu);
  // Samples the daemon has filed, and those waiting in the CPUs' buffers.
  std::uint64_t filed() const { return filed_; }
  std::uint64_t waiting() const;

 private:
  Work run();
  void drain(int cpu, int buffer);

  CpuSet& cpus_;
  OprofileDaemonParams params_;
  models::PathId filed_path_, read_path_, copy_path_;
  Thread* thread_ = nullptr;
  std::vector<std::uint32_t> waiting_;  // per sampled CPU
  std::vector<bool> full_;              // ... its buffer has woken the daemon
  std::vector<models::Addr> buffers_;   // ... the module's buffer
  models::Addr user_buffer_ = 0;
  models::Addr buckets_ = 0;
  models::Addr nodes_ = 0;
  std::uint64_t nodes_per_drain_ = 1;  // the share of the nodes a drain's share of a burst touches
  std::uint64_t filed_ = 0;
};

}  // namespace iscsim::host::kernel
