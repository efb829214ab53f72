#include "sim/host/smp/SmpIscsi.hpp"

#include <algorithm>
#include <numeric>
#include <string>

namespace iscsim::host::smp {

namespace {

std::uint64_t total(const std::array<std::uint64_t, stack::iscsi::PduCounts::kOpcodes>& by_opcode) {
  return std::accumulate(by_opcode.begin(), by_opcode.end(), std::uint64_t{0});
}

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
      user_bytes_(user_buffer_bytes),
      scsi_cmnds_(&host.memory().cache("scsi_cmnd", host.objects().scsi_cmnd_bytes)),
      iscsi_cmds_(&host.memory().cache("iscsi_cmd", host.objects().iscsi_cmd_bytes)) {
  user_ = host.memory().region(user_buffer_bytes);
  const std::uint64_t pages = (user_buffer_bytes + host.objects().page_bytes - 1) / host.objects().page_bytes;
  mem_map_ = host.memory().region(pages * host.objects().page_struct_bytes);
  CpuSet& k = host.cpus();
  const std::string n = std::to_string(index);
  const int home = static_cast<int>(index);
  rx_ = k.create_thread("iscsi_rx" + n, [this] { return receive_thread(); }, home);
  tx_ = k.create_thread("iscsi_tx" + n, [this] { return transmit_thread(); }, home);
  worker_ = k.create_thread("dynamo" + n, [this] { return worker_thread(); }, home);
  link.set_deferred([this] { notify(); });
}

SmpIscsiPath::BufferHeads SmpIscsiPath::alloc_buffer_heads(std::uint64_t io_bytes) {
  const KernelObjects& o = host_.objects();
  const std::uint64_t sectors = (io_bytes + o.raw_sector_bytes - 1) / o.raw_sector_bytes;
  if (sectors == 0) return {};
  const auto bytes = static_cast<std::uint32_t>(sectors * o.buffer_head_bytes);
  models::SlabCache& cache = host_.memory().cache("buffer_head x" + std::to_string(sectors), bytes);
  return BufferHeads{&cache, cache.alloc(), bytes};
}

void SmpIscsiPath::wake(Thread* t) { host_.cpus().wake(t, host_.cpus().executing()); }

void SmpIscsiPath::notify() {
  const auto& conn = link_.endpoint().connection();
  const bool settled = conn.state() == stack::tcp::State::Established &&
                       link_.session().state() == stack::iscsi::InitiatorSession::State::FullFeature;
  if (conn.readable() > 0 || !settled) wake(rx_);
  const std::size_t wanted = std::min(link_.output_bytes(), host_.socket_buffer_bytes() / kWriteSpaceDivisor);
  if (link_.has_output() && conn.send_space() >= std::max<std::size_t>(1, wanted)) wake(tx_);
}

void SmpIscsiPath::submit(stack::iscsi::ScsiRequest request) {
  to_issue_.push_back(std::move(request));
  wake(worker_);
}

models::Addr SmpIscsiPath::user_span(std::uint64_t& cursor, std::uint64_t bytes) {
  // Sequential I/O walks the worker's buffers in order; a span that would wrap restarts them.
  if (cursor % user_bytes_ + bytes > user_bytes_) cursor += user_bytes_ - cursor % user_bytes_;
  const models::Addr at = user_ + cursor % user_bytes_;
  cursor += bytes;
  return at;
}

Work SmpIscsiPath::worker_thread() {
  return Work{[this](int cpu) {
                CpuSet& k = host_.cpus();
                const KernelPaths& p = host_.paths();
                const models::CodePathCatalog& catalog = host_.cost().catalog();
                while (!to_issue_.empty()) {
                  stack::iscsi::ScsiRequest r = std::move(to_issue_.front());
                  to_issue_.pop_front();
                  k.run(cpu, p.dynamo_io, 1, 0);
                  k.run(cpu, p.syscall, 1, 0);
                  // map_user_kiobuf pins each page of the buffer: a write to its struct page.
                  const KernelObjects& o = host_.objects();
                  const models::Addr buffer = user_span(map_cursor_, r.transfer_length);
                  const std::uint64_t first = (buffer - user_) / o.page_bytes;
                  const std::uint64_t pages = (r.transfer_length + o.page_bytes - 1) / o.page_bytes;
                  // brw_kiovec frees the buffer_heads of what completed and builds the new ones.
                  BufferHeads old;
                  if (!completed_.empty()) {
                    old = completed_.front();
                    completed_.pop_front();
                  }
                  const BufferHeads bhs = alloc_buffer_heads(r.transfer_length);
                  k.run(cpu, p.raw_io_map, 1, r.transfer_length,
                        {{mem_map_ + first * o.page_struct_bytes, pages * o.page_struct_bytes, true},
                         {bhs.addr, bhs.bytes, true},
                         {old.addr, old.bytes, true}});
                  if (old.cache != nullptr) old.cache->free(old.addr);
                  const models::Addr sc = scsi_cmnds_->alloc();
                  const models::Addr ic = iscsi_cmds_->alloc();
                  live_.push_back(Live{sc, ic, r.transfer_length, bhs});
                  k.lock(cpu, catalog[p.scsi_request].compute_cycles(1, static_cast<double>(r.transfer_length)));
                  k.run(cpu, p.scsi_request, 1, r.transfer_length,
                        {{sc, host_.objects().scsi_cmnd_bytes, true}, {bhs.addr, bhs.bytes, false}});
                  k.run(cpu, p.iscsi_queuecommand, 1, 0, {{ic, host_.objects().iscsi_cmd_bytes, true}});
                  link_.submit(std::move(r));
                }
              },
              {}};
}

Work SmpIscsiPath::transmit_thread() {
  return Work{[this](int cpu) {
                CpuSet& k = host_.cpus();
                const KernelPaths& p = host_.paths();
                host_.own_socket(link_.endpoint(), cpu);
                // PDUs the session queued since the last run wait for this thread; it sends the
                // share of them that fits in the socket now.
                const std::uint64_t sent = total(link_.session().counts().sent);
                tx_pdus_waiting_ += sent - tx_pdus_seen_;
                tx_pdus_seen_ = sent;
                const std::size_t queued = link_.output_bytes();
                const std::size_t bytes = link_.transmit();
                if (bytes == 0) return;
                std::uint64_t pdus = tx_pdus_waiting_;
                if (bytes < queued)
                  pdus = std::min<std::uint64_t>(
                      tx_pdus_waiting_, std::max<std::uint64_t>(1, tx_pdus_waiting_ * bytes / queued));
                tx_pdus_waiting_ -= pdus;
                const auto calls = static_cast<double>(std::max<std::uint64_t>(1, pdus));
                k.run(cpu, p.tcp_sendmsg, calls, 0, {host_.sock(link_.endpoint(), true)});
                if (!live_.empty())
                  k.run(cpu, p.iscsi_tx_pdu, calls, 0, {{live_.back().iscsi_cmd, host_.objects().iscsi_cmd_bytes, true}});
                else
                  k.run(cpu, p.iscsi_tx_pdu, calls, 0);
                host_.copy_from_user(cpu, link_.endpoint(), bytes, user_span(tx_cursor_, bytes));
              },
              [this] { host_.release_socket(link_.endpoint()); }};
}

Work SmpIscsiPath::receive_thread() {
  return Work{[this](int cpu) {
                CpuSet& k = host_.cpus();
                const KernelPaths& p = host_.paths();
                const models::CodePathCatalog& catalog = host_.cost().catalog();
                const world::TcpEndpoint& ep = link_.endpoint();
                host_.own_socket(ep, cpu);
                const std::uint64_t pdus_before = total(link_.session().counts().received);
                const std::uint64_t done_before = link_.session().stats().completions;
                const std::size_t bytes = link_.receive();
                const std::uint64_t pdus = total(link_.session().counts().received) - pdus_before;
                const std::uint64_t done = link_.session().stats().completions - done_before;
                if (bytes > 0) {
                  k.run(cpu, p.tcp_recvmsg, kReadsPerPdu * static_cast<double>(pdus), 0, {host_.sock(ep, true)});
                  host_.copy_to_user(cpu, ep, bytes, user_span(rx_cursor_, bytes));
                  k.run(cpu, p.iscsi_rx_pdu, static_cast<double>(pdus), 0);
                }
                for (std::uint64_t i = 0; i < done; ++i) {
                  Live c;
                  if (!live_.empty()) {
                    c = live_.front();
                    live_.pop_front();
                  }
                  k.lock(cpu, catalog[p.scsi_done].compute_cycles(1, static_cast<double>(c.bytes)));
                  // end_that_request_first calls each buffer_head's b_end_io.
                  k.run(cpu, p.scsi_done, 1, c.bytes,
                        {{c.scsi_cmnd, host_.objects().scsi_cmnd_bytes, true},
                         {c.iscsi_cmd, host_.objects().iscsi_cmd_bytes, false},
                         {c.bhs.addr, c.bhs.bytes, true}});
                  if (c.bhs.cache != nullptr) completed_.push_back(c.bhs);
                  if (c.scsi_cmnd != 0) {
                    scsi_cmnds_->free(c.scsi_cmnd);
                    iscsi_cmds_->free(c.iscsi_cmd);
                  }
                }
                // An R2T or a NOP-In may have queued PDUs for the transmit thread.
                if (link_.has_output()) k.wake(tx_, cpu);
              },
              [this] { host_.release_socket(link_.endpoint()); }};
}

}  // namespace iscsim::host::smp
