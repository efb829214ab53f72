#include "sim/host/smp/SmpIscsi.hpp"

#include <algorithm>
#include <string>

namespace iscsim::host::smp {

namespace {

// The receive thread reads a PDU's header, then its data segment: two socket reads per PDU.
constexpr double kReadsPerPdu = 2;
// Linux 2.4 wakes a writer blocked on a full send buffer once the free space reaches half of
// what is queued (tcp_check_space, tcp_min_write_space): a third of a full buffer.
constexpr std::size_t kWriteSpaceDivisor = 3;

}  // namespace

SmpIscsiPath::SmpIscsiPath(SmpHost& host, world::IscsiInitiatorLink& link, std::size_t index,
                           std::uint64_t user_buffer_bytes)
    : host_(host),
      link_(link),
      io_(host.cpus(), host.paths(), host.objects(), host.memory(), user_buffer_bytes),
      aio_(host.cpus(), host.paths(), static_cast<int>(index), host.memory(), host.objects().aio, host.aio_globals(),
           host.objects().waits, host.timers(),
           [this](int cpu, std::size_t file, stack::iscsi::ScsiRequest r) {
             io_.issue(cpu, file, r.transfer_length);
             link_.submit(std::move(r), file);
           },
           [this](int cpu, std::size_t file) { io_.finish(cpu, file); }) {
  CpuSet& k = host.cpus();
  const std::string n = std::to_string(index);
  const int home = static_cast<int>(index);
  rx_ = k.create_thread("iscsi_rx" + n, [this] { return receive_thread(); }, home);
  tx_ = k.create_thread("iscsi_tx" + n, [this] { return transmit_thread(); }, home);
  link.set_deferred([this] { notify(); });
}

void SmpIscsiPath::wake(Thread* t) { host_.cpus().wake(t, host_.cpus().executing()); }

void SmpIscsiPath::notify() {
  const auto& conn = link_.endpoint().connection();
  const bool settled = conn.state() == stack::tcp::State::Established &&
                       link_.session().state() == stack::iscsi::InitiatorSession::State::FullFeature;
  // Segments the receive thread takes from its own prequeue wake nobody: it is the reader.
  if ((conn.readable() > 0 || !settled) && !draining_prequeue_) wake(rx_);
  const std::size_t wanted = std::min(link_.output_bytes(), host_.socket_buffer_bytes() / kWriteSpaceDivisor);
  if (link_.has_output() && conn.send_space() >= std::max<std::size_t>(1, wanted)) wake(tx_);
}

void SmpIscsiPath::submit(stack::iscsi::ScsiRequest request, std::size_t issuer) {
  aio_.submit(issuer, std::move(request));
}

Work SmpIscsiPath::transmit_thread() {
  return Work{[this](int cpu) {
                CpuSet& k = host_.cpus();
                const KernelPaths& p = host_.paths();
                host_.own_socket(link_.endpoint(), cpu);
                // PDUs the session queued since the last run wait for this thread; it sends the
                // share of them that fits in the socket now.
                const std::uint64_t sent = link_.session().counts().total_sent();
                tx_pdus_waiting_ += sent - tx_pdus_seen_;
                tx_pdus_seen_ = sent;
                // What the socket takes now: the queued PDUs' bytes, up to its free space.
                const std::size_t queued = link_.output_bytes();
                const std::size_t bytes = std::min<std::size_t>(queued, link_.endpoint().connection().send_space());
                if (bytes == 0) return;
                std::uint64_t pdus = tx_pdus_waiting_;
                if (bytes < queued)
                  pdus = std::min<std::uint64_t>(
                      tx_pdus_waiting_, std::max<std::uint64_t>(1, tx_pdus_waiting_ * bytes / queued));
                tx_pdus_waiting_ -= pdus;
                const auto calls = static_cast<double>(std::max<std::uint64_t>(1, pdus));
                const models::Addr at = io_.data_span(tx_cursor_, bytes);
                // A Data-Out PDU's data is sent from the scatter-gather entries that cover it.
                const kernel::DynamoIo::Placement data = io_.placement(at, host_.objects().pdu_data_bytes(bytes, pdus));
                k.run(cpu, p.iscsi_tx_pdu, calls, 0,
                      {models::modelled(io_.newest_iscsi_cmd(), host_.objects().iscsi_cmd_bytes, true), data.task,
                       data.command, data.entries});
                k.run(cpu, p.sock_sendmsg, calls, 0);
                k.run(cpu, p.tcp_sendmsg, calls, 0, {host_.sock(link_.endpoint(), true)});
                host_.sendmsg(cpu, link_.endpoint(), at, [this, bytes] { return link_.transmit(bytes); });
              },
              [this] { host_.release_socket(link_.endpoint()); }};
}

Work SmpIscsiPath::receive_thread() {
  return Work{[this](int cpu) {
                CpuSet& k = host_.cpus();
                const KernelPaths& p = host_.paths();
                world::TcpEndpoint& ep = link_.endpoint();
                host_.own_socket(ep, cpu);
                draining_prequeue_ = true;
                host_.reader_runs(cpu, ep, rx_);
                draining_prequeue_ = false;
                const std::uint64_t pdus_before = link_.session().counts().total_received();
                const std::uint64_t done_before = link_.session().stats().completions;
                const std::size_t bytes = link_.receive();
                const std::uint64_t pdus = link_.session().counts().total_received() - pdus_before;
                const std::uint64_t done = link_.session().stats().completions - done_before;
                if (bytes > 0) {
                  const models::Addr at = io_.data_span(rx_cursor_, bytes);
                  host_.recvmsg(cpu, ep, kReadsPerPdu * static_cast<double>(pdus), bytes, at);
                  if (unplaced_bytes_ == 0) unplaced_at_ = at;
                  unplaced_bytes_ += bytes;
                  // Part of a PDU (its data still arriving) is not parsed yet. A parsed one finds its
                  // task and reads the scatter-gather entries its data goes to.
                  if (pdus > 0) {
                    const kernel::DynamoIo::Placement data = io_.placement(unplaced_at_, unplaced_bytes_);
                    k.run(cpu, p.iscsi_rx_pdu, static_cast<double>(pdus), 0, {data.task, data.command, data.entries});
                    unplaced_bytes_ = 0;
                  }
                }
                for (std::uint64_t i = 0; i < done; ++i) aio_.io_done(cpu, io_.complete(cpu));
                // An R2T or a NOP-In may have queued PDUs for the transmit thread.
                if (link_.has_output()) k.wake(tx_, cpu);
              },
              [this] {
                host_.release_socket(link_.endpoint());
                host_.reader_run_ends(link_.endpoint());
              }};
}

}  // namespace iscsim::host::smp
