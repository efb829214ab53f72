#pragma once
// One iSCSI session on the AMP host's side (paper Fig 2b): dynamo's workers issue raw I/O
// through glibc's AIO helper threads and the SCSI midlayer as on SMP, and the iSCSI driver posts its PDUs through the KAL
// (zero-copy: the NIC reads the pinned user pages) with the receive buffers for the answers
// pre-posted at command issue. Events come back through the event queue and are handled by a
// receive thread woken by an IPI (wait or wait_N), or by a callback in the IPI itself.
#include <cstdint>

#include "sim/host/amp/AmpHost.hpp"
#include "sim/host/kernel/DynamoIo.hpp"
#include "sim/host/kernel/GlibcAio.hpp"
#include "sim/world/IoTarget.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"

namespace iscsim::host::amp {

class AmpSession : public world::IoTarget {
 public:
  AmpSession(AmpHost& host, world::IscsiInitiatorLink& link, std::size_t index, std::uint64_t user_buffer_bytes);

  void submit(stack::iscsi::ScsiRequest request, std::size_t issuer) override;
  // The PPE posted enough events: wake the receive thread, or run the callback.
  void wake();
  // Whether waking the host now takes an IPI: the event callback always does; a receive thread
  // only while it sleeps, and none where the host polls its event queue.
  bool needs_ipi() const;
  world::IscsiInitiatorLink& link() { return link_; }

 private:
  // A helper thread's raw I/O for worker `file`: the command, its receive buffers, its PDUs.
  void start_io(int cpu, std::size_t file, stack::iscsi::ScsiRequest r);
  kernel::Work receive_thread();
  // Reaps and handles every event, on host CPU `cpu`, then waits again.
  void handle_events(int cpu);
  // KAL post_send of what the session queued since the last post.
  void post_output(int cpu);
  // KAL post_recv of the buffers the answers to a command of `bytes` will land in.
  void post_receives(int cpu, bool read, std::uint64_t bytes, models::Addr buffer);
  std::uint64_t wait_threshold() const;
  int home_cpu() const;
  // Hands the link's connection to the host, once per connection (the first, and each one the
  // session logs in again on after a failure).
  void attach();

  AmpHost& host_;
  world::IscsiInitiatorLink& link_;
  std::size_t index_;  // before aio_, whose threads start on home_cpu()
  kernel::DynamoIo io_;
  kernel::GlibcAio aio_;
  kernel::Thread* rx_ = nullptr;
  std::uint64_t posted_output_ = 0;  // bytes of the session's output already posted, not yet sent
  std::uint64_t pdus_seen_ = 0;      // PDUs the session had queued at the last post
  std::uint64_t tx_cursor_ = 0;
  std::uint64_t rx_cursor_ = 0;
  models::Addr header_buffers_ = 0;  // where pre-posted iSCSI headers land
  std::uint64_t headers_posted_ = 0;
  const world::TcpEndpoint* attached_ = nullptr;  // the connection the host knows this session by
};

}  // namespace iscsim::host::amp
