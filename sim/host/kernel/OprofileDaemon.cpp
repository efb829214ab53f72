#include "sim/host/kernel/OprofileDaemon.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/world/SplitMix64.hpp"

namespace iscsim::host::kernel {

OprofileDaemon::OprofileDaemon(CpuSet& cpus, models::AddressSpace& memory, const OprofileDaemonParams& params,
                               int cpus_sampled, models::PathId filed, models::PathId read_path, models::PathId copy)
    : cpus_(cpus),
      params_(params),
      filed_path_(filed),
      read_path_(read_path),
      copy_path_(copy),
      waiting_(static_cast<std::size_t>(cpus_sampled), 0),
      full_(static_cast<std::size_t>(cpus_sampled), false) {
  const std::uint64_t buffer_bytes = std::uint64_t{params.drain_samples} * params.sample_bytes;
  for (int c = 0; c < cpus_sampled; ++c) buffers_.push_back(memory.region(buffer_bytes));
  user_buffer_ = memory.region(buffer_bytes);
  // A burst of wake_samples samples brings the sample files' lines into the L2 once and then hits
  // them; a drain of a share of the burst brings in the same share of the lines.
  const double share = std::min(1.0, static_cast<double>(params.drain_samples) / params.wake_samples);
  nodes_per_drain_ = std::max<std::uint64_t>(1, std::llround(params.sample_file_nodes * share));
  buckets_ = memory.region(nodes_per_drain_ * params.bucket_bytes);
  nodes_ = memory.region(nodes_per_drain_ * params.node_bytes);
  thread_ = cpus_.create_thread("oprofiled", [this] { return run(); }, 0, kOprofiledProcess);
}

std::unique_ptr<OprofileDaemon> OprofileDaemon::attach(CpuSet& cpus, models::AddressSpace& memory,
                                                       const OprofileDaemonParams& params, models::Picos period,
                                                       int cpus_sampled, const KernelPaths& paths) {
  if (period <= 0 || params.sample_bytes == 0) return nullptr;
  auto daemon = std::make_unique<OprofileDaemon>(cpus, memory, params, cpus_sampled, paths.oprofiled_sample,
                                                 paths.syscall, paths.copy_to_user);
  OprofileDaemon* d = daemon.get();
  cpus.on_profiler_sample([d](int cpu) { d->sample(cpu); });
  return daemon;
}

void OprofileDaemon::sample(int cpu) {
  const auto c = static_cast<std::size_t>(cpu);
  ++waiting_[c];
  if (waiting_[c] < params_.drain_samples || full_[c]) return;
  // The handler's wake_up runs in the NMI, which the profile cannot see: no waker is charged.
  full_[c] = true;
  cpus_.wake(thread_, -1);
}

std::uint64_t OprofileDaemon::waiting() const {
  return std::accumulate(waiting_.begin(), waiting_.end(), std::uint64_t{0});
}

Work OprofileDaemon::run() {
  return Work{[this](int cpu) {
                // Each read() takes the lowest-numbered full buffer; the daemon reads until none is.
                for (std::size_t b = 0; b < full_.size(); ++b)
                  if (full_[b]) drain(cpu, static_cast<int>(b));
                cpus_.run(cpu, read_path_, 1, 0);  // the next read() sleeps until a buffer fills
              },
              {}};
}

void OprofileDaemon::drain(int cpu, int buffer) {
  const auto b = static_cast<std::size_t>(buffer);
  const std::uint32_t n = waiting_[b];
  waiting_[b] = 0;
  full_[b] = false;
  const std::uint64_t bytes = std::uint64_t{n} * params_.sample_bytes;
  const std::uint64_t held = std::uint64_t{params_.drain_samples} * params_.sample_bytes;
  // Samples beyond the buffer's size wrap over its start, as the module's index does.
  const std::uint64_t copied = bytes < held ? bytes : held;
  cpus_.run(cpu, read_path_, 1, 0);
  cpus_.run(cpu, copy_path_, 1, copied, {{buffers_[b], copied, false}, models::stored(user_buffer_, copied)});
  for (std::uint32_t i = 0; i < n; ++i) {
    // odb_insert: the key's bucket, then its node; which ones, the sampled addresses decide.
    const std::uint64_t node = world::splitmix64(filed_ + i) % nodes_per_drain_;
    const std::uint64_t entry = (std::uint64_t{i} * params_.sample_bytes) % held;
    cpus_.run(cpu, filed_path_, 1, 0,
              {{user_buffer_ + entry, params_.sample_bytes, false},
               {buckets_ + node * params_.bucket_bytes, params_.bucket_bytes, false},
               {nodes_ + node * params_.node_bytes, params_.node_bytes, true}});
  }
  filed_ += n;
}

}  // namespace iscsim::host::kernel
