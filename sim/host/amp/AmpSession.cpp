#include "sim/host/amp/AmpSession.hpp"

#include <algorithm>
#include <string>

#include "sim/stack/iscsi/PduCodec.hpp"

namespace iscsim::host::amp {

namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return b == 0 ? 0 : (a + b - 1) / b; }

// Header buffers kept for pre-posted receives, reused in turn: the command window's worth.
constexpr std::uint64_t kHeaderBuffers = 64;

}  // namespace

AmpSession::AmpSession(AmpHost& host, world::IscsiInitiatorLink& link, std::size_t index,
                       std::uint64_t user_buffer_bytes)
    : host_(host),
      link_(link),
      index_(index),
      io_(host.cpus(), host.paths(), host.objects(), host.memory(), user_buffer_bytes),
      aio_(host.cpus(), host.paths(), home_cpu(), host.memory(), host.objects().aio, host.aio_globals(),
           host.objects().waits, host.timers(),
           [this](int cpu, std::size_t file, stack::iscsi::ScsiRequest r) { start_io(cpu, file, std::move(r)); },
           [this](int cpu, std::size_t file) { io_.finish(cpu, file); }) {
  header_buffers_ = host.memory().region(kHeaderBuffers * host.objects().iscsi_header_bytes);
  kernel::CpuSet& k = host.cpus();
  const std::string n = std::to_string(index);
  if (host.config().strategy.completion == scenario::AmpCompletion::RxThread)
    rx_ = k.create_thread("iscsi_rx" + n, [this] { return receive_thread(); }, home_cpu());
  attach();
  // TCP runs on the PPE: socket activity marks the connection for it; output the session queued
  // from the host's side (a logout when the workload ends) is posted there and then.
  link.set_deferred([this] {
    attach();
    if (const int cpu = host_.cpus().executing(); cpu >= 0) post_output(cpu);
    host_.mark_dirty(link_.endpoint());
  });
}

void AmpSession::attach() {
  // A session that failed at error recovery level 0 logs in again on a new connection.
  if (attached_ == &link_.endpoint()) return;
  attached_ = &link_.endpoint();
  host_.attach_session(link_.endpoint(), this);
  // What was posted to the failed connection and not sent is gone with it: the session's output
  // from here on goes to this one.
  posted_output_ = link_.transmitted_bytes();
}

int AmpSession::home_cpu() const { return static_cast<int>(index_ % static_cast<std::size_t>(host_.hosts())); }

void AmpSession::submit(stack::iscsi::ScsiRequest request, std::size_t issuer) {
  aio_.submit(issuer, std::move(request));
}

void AmpSession::start_io(int cpu, std::size_t file, stack::iscsi::ScsiRequest r) {
  const bool read = r.direction == stack::iscsi::DataDirection::Read;
  const std::uint64_t bytes = r.transfer_length;
  const models::Addr buffer = io_.issue(cpu, file, bytes);
  // The answers' buffers are posted before the command can be answered.
  post_receives(cpu, read, bytes, buffer);
  link_.submit(std::move(r), file);
  post_output(cpu);
}

void AmpSession::post_receives(int cpu, bool read, std::uint64_t bytes, models::Addr buffer) {
  const stack::iscsi::SessionParams& sp = link_.session().params();
  const std::uint64_t digest = stack::iscsi::kDigestBytes;
  const std::uint64_t header = host_.objects().iscsi_header_bytes + (sp.digests.header ? digest : 0);
  const auto post_header = [&] {
    const models::Addr at = header_buffers_ + (headers_posted_++ % kHeaderBuffers) * host_.objects().iscsi_header_bytes;
    host_.post(cpu, link_.endpoint(), WorkEntry{WorkEntry::Kind::Recv, header, at}, false);
  };
  if (read) {
    // Data-In PDUs of at most the initiator's MaxRecvDataSegmentLength: a header and its data each.
    const std::uint64_t segment = std::max<std::uint32_t>(1, sp.initiator_max_recv_data_segment);
    for (std::uint64_t off = 0; off < bytes; off += segment) {
      post_header();
      const std::uint64_t n = std::min(segment, bytes - off);
      const std::uint64_t padded = ceil_div(n, 4) * 4 + (sp.digests.data ? digest : 0);
      host_.post(cpu, link_.endpoint(), WorkEntry{WorkEntry::Kind::Recv, padded, buffer + off}, false,
                 io_.placement(buffer + off, n).entries);
    }
    if (!host_.config().status_in_data_in) post_header();
    return;
  }
  // A write: an R2T header per burst beyond what goes unsolicited, then the response header.
  std::uint64_t unsolicited = 0;
  if (!sp.initial_r2t)
    unsolicited = std::min<std::uint64_t>(bytes, sp.first_burst_length);
  else if (sp.immediate_data)
    unsolicited = std::min<std::uint64_t>({bytes, sp.first_burst_length, sp.target_max_recv_data_segment});
  const std::uint64_t r2ts = ceil_div(bytes - unsolicited, std::max<std::uint32_t>(1, sp.max_burst_length));
  for (std::uint64_t i = 0; i < r2ts; ++i) post_header();
  post_header();
}

void AmpSession::post_output(int cpu) {
  const std::uint64_t produced = link_.transmitted_bytes() + link_.output_bytes();
  if (produced <= posted_output_) return;
  const std::uint64_t bytes = produced - posted_output_;
  posted_output_ = produced;
  const std::uint64_t sent = link_.session().counts().total_sent();
  const std::uint64_t pdus = std::max<std::uint64_t>(1, sent - pdus_seen_);
  pdus_seen_ = sent;
  const kernel::KernelPaths& p = host_.paths();
  kernel::CpuSet& k = host_.cpus();
  k.run(cpu, p.iscsi_tx_pdu, static_cast<double>(pdus), 0,
        {models::modelled(io_.newest_iscsi_cmd(), host_.objects().iscsi_cmd_bytes, true)});
  const models::Addr user = io_.data_span(tx_cursor_, bytes);
  // Headers are small; the data the PDUs carry is what the NIC reads from the user's pages.
  const std::uint64_t data = host_.objects().pdu_data_bytes(bytes, pdus);
  if (data > 0 && host_.config().strategy.tx_zero_copy) {
    const std::uint64_t pages = ceil_div(data, host_.objects().page_bytes);
    k.run(cpu, host_.amp_paths().zero_copy_setup, static_cast<double>(pages), 0);
    host_.count_zero_copy_pages(pages);
  } else if (data > 0) {
    k.run(cpu, p.copy_from_user, 1, data, {{user, data, false}});
  }
  // The data's pages are posted from the scatter-gather entries that hold them.
  host_.post(cpu, link_.endpoint(), WorkEntry{WorkEntry::Kind::Send, bytes, user}, true, io_.placement(user, data).entries);
}

kernel::Work AmpSession::receive_thread() {
  return kernel::Work{[this](int cpu) { handle_events(cpu); }, {}};
}

void AmpSession::wake() {
  kernel::CpuSet& k = host_.cpus();
  if (rx_ == nullptr) {
    // The final version: the event callback runs in the IPI, no thread to schedule.
    k.ipi_call(home_cpu(), [this](int cpu) { handle_events(cpu); });
  } else if (host_.config().strategy.host_wait == scenario::HostWait::Poll) {
    k.wake(rx_, -1);  // the host's poll of the event queue sees it: no IPI
  } else {
    k.wake_by_ipi(rx_);
  }
}

bool AmpSession::needs_ipi() const {
  if (rx_ == nullptr) return true;
  return host_.config().strategy.host_wait != scenario::HostWait::Poll && rx_->asleep();
}

void AmpSession::handle_events(int cpu) {
  kernel::CpuSet& k = host_.cpus();
  const kernel::KernelPaths& p = host_.paths();
  std::uint64_t threshold = wait_threshold();
  std::uint64_t waits = 0;
  do {
    const AmpHost::Reaped r = host_.reap(cpu, link_.endpoint());
    // Each wait() (one event) or wait_N() (N) call returns the events it reaped: a call per
    // threshold's worth, the last one sleeping when the queue runs dry.
    waits += (r.events + threshold - 1) / threshold;
    if (r.bytes > 0 && !host_.config().strategy.rx_copy_on_ppe)
      host_.copy_out_on_host(cpu, link_.endpoint(), r.bytes, io_.data_span(rx_cursor_, r.bytes));
    const std::uint64_t pdus_before = link_.session().counts().total_received();
    const std::uint64_t done_before = link_.session().stats().completions;
    link_.process_landed(r.bytes);
    const std::uint64_t pdus = link_.session().counts().total_received() - pdus_before;
    const std::uint64_t done = link_.session().stats().completions - done_before;
    if (pdus > 0) k.run(cpu, p.iscsi_rx_pdu, static_cast<double>(pdus), 0);
    for (std::uint64_t i = 0; i < done; ++i) aio_.io_done(cpu, io_.complete(cpu));
    // An R2T, a login step or a NOP-In may have queued PDUs: they are posted from here.
    post_output(cpu);
    threshold = wait_threshold();
  } while (host_.pending_events(link_.endpoint()) >= threshold);
  host_.cpus().run(cpu, host_.amp_paths().kal_wait, static_cast<double>(std::max<std::uint64_t>(1, waits)), 0);
  host_.count_waits(std::max<std::uint64_t>(1, waits));
  host_.set_wait_threshold(link_.endpoint(), threshold);
}

std::uint64_t AmpSession::wait_threshold() const {
  // wait(): one event; wait_N(n): min(n, events still outstanding) (paper section 4.2).
  const auto& strategy = host_.config().strategy;
  if (strategy.wait != scenario::AmpWait::N) return 1;
  return std::clamp<std::uint64_t>(host_.posted_receives(link_.endpoint()), 1,
                                   static_cast<std::uint64_t>(strategy.wait_n));
}

}  // namespace iscsim::host::amp
