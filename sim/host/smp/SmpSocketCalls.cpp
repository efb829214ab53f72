// The SMP host's socket calls, made by its threads: tcp_recvmsg's walk of the receive queue and
// its copies out, tcp_sendmsg's copies into the write queue as TCP sends.
#include <algorithm>
#include <vector>

#include "sim/host/smp/SmpHost.hpp"

namespace iscsim::host::smp {

void SmpHost::recvmsg(int cpu, const world::TcpEndpoint& ep, double calls, std::uint64_t bytes, models::Addr user) {
  Conn& c = conns_.at(&ep);
  CpuSet& k = *cpus_;
  std::size_t skbs = 0;
  for (std::uint64_t left = bytes; skbs < c.rx_skbs.size() && left > 0; ++skbs) {
    const Conn::Pending& p = c.rx_skbs[skbs];
    left -= std::min(left, p.bytes - p.copied);
  }
  const double calls_per_skb = calls / static_cast<double>(std::max<std::size_t>(1, skbs));
  if (calls > 0) k.run(cpu, paths_.sock_recvmsg, calls, 0);  // the socket layer above tcp_recvmsg
  if (skbs == 0) k.run(cpu, paths_.tcp_recvmsg, calls, 0, {hot_sock(c)});
  while (bytes > 0 && !c.rx_skbs.empty()) {
    Conn::Pending& p = c.rx_skbs.front();
    const std::uint64_t n = std::min(bytes, p.bytes - p.copied);
    // tcp_recvmsg reads the skb's control block (TCP_SKB_CB: seq) and its TCP header (h.th: the
    // first line of the frame), and unlinks it from the receive queue once it is consumed.
    k.run(cpu, paths_.tcp_recvmsg, calls_per_skb, n,
          {hot_sock(c), {p.skb.head, objects_.skb_head_bytes, true}, {p.skb.data, memory_.line_bytes(), false}});
    const models::Addr src = p.skb.payload + p.copied;
    k.run(cpu, paths_.copy_to_user, 1, n, {{src, n, false}, models::stored(user, n)});
    user += n;
    bytes -= n;
    p.copied += n;
    if (p.copied == p.bytes) {
      free_skb(cpu, p.skb);
      c.rx_skbs.pop_front();
      if (!c.rx_skbs.empty()) k.run(cpu, paths_.tcp_recvmsg, 0, 0, {objects_.skb_link(c.rx_skbs.front().skb.head)});
    }
  }
}

std::size_t SmpHost::sendmsg(int cpu, const world::TcpEndpoint& ep, models::Addr user,
                             const std::function<std::size_t()>& put) {
  Conn& c = conns_.at(&ep);
  c.copy_cpu = cpu;
  c.copy_user = user;
  c.copy_start = c.tx_written;
  const std::size_t bytes = put();  // what TCP sends now is copied as it goes (charge_transmit)
  c.copy_cpu = -1;
  const std::uint64_t put_end = c.copy_start + bytes;
  if (put_end > c.tx_written) copy_in(cpu, c, ep.connection().mss(), put_end - c.tx_written);
  return bytes;
}

void SmpHost::copy_in(int cpu, Conn& c, std::uint32_t mss, std::uint64_t bytes) {
  if (bytes == 0) return;
  const models::Addr user = c.copy_user + (c.tx_written - c.copy_start);
  // skb_entail links the first new sk_buff after the queue's tail.
  const models::Addr tail = c.write_queue.back();
  // tcp_alloc_pskb: alloc_skb's head, then its data kmalloc'd, the payload past MAX_TCP_HEADER.
  if (c.tx_data == nullptr) c.tx_data = &kmalloc_cache(objects_.skb_data_object_bytes(objects_.tx_skb_size(mss)));
  const std::uint32_t shinfo_offset = objects_.skb_data_aligned_bytes(objects_.tx_skb_size(mss));
  const std::vector<kernel::WriteQueue::Buffers> fresh = c.write_queue.append(bytes, mss, [&] {
    const models::Addr head = skb_heads_.alloc(cpu);
    const models::Addr data = c.tx_data->alloc(cpu);
    sent_data_.add(data, *c.tx_data, data + shinfo_offset);
    return kernel::WriteQueue::Buffers{head, data + objects_.tcp_tx_header_reserve_bytes};
  });
  for (const kernel::WriteQueue::Buffers& b : fresh)
    cpus_->run(cpu, paths_.alloc_skb, 1, 0,
               {{b.head, objects_.skb_head_bytes, true},
                objects_.shinfo(sent_data_.shinfo(sent_data_of(b)), KernelObjects::ShinfoUse::Set)});
  cpus_->run(cpu, paths_.tcp_sendmsg, 0, bytes, {hot_sock(c), objects_.skb_link(fresh.empty() ? 0 : tail)});
  // skb_add_data copies into each sk_buff's tail, the whole of what it writes stored.
  copy_touches_.assign(1, models::Touch{user, bytes, false});
  c.write_queue.spans(c.tx_written, bytes, [this](const kernel::WriteQueue::Span& span) {
    copy_touches_.push_back(models::stored(span.addr, span.bytes));
  });
  cpus_->run(cpu, paths_.copy_from_user, 1, bytes, models::Touches(copy_touches_.data(), copy_touches_.size()));
  c.tx_written += bytes;
}

}  // namespace iscsim::host::smp
