// The host's side of the queues (the Kernel Adaptation Layer's work): post to a work queue and
// ring the doorbell, reap events, wait; and the TCP activity that marks a connection for its PPE.
#include <algorithm>

#include "sim/host/amp/AmpHost.hpp"
#include "sim/host/amp/AmpHostState.hpp"

namespace iscsim::host::amp {

void AmpHost::mark_dirty(const world::TcpEndpoint& ep) {
  Conn& c = *conns_.at(&ep);
  c.dirty = true;
  if (executing_ppe() == nullptr) ppe_of(c).visible_at(calendar_.now());
}

void AmpHost::post(int cpu, const world::TcpEndpoint& ep, const WorkEntry& e, bool ring_doorbell,
                   const models::Touch& source) {
  Conn& c = *conns_.at(&ep);
  auto at = c.work.push(e);
  if (!ring_doorbell) {
    cpus_->run(cpu, amp_.kal_post, 1, 0, {source, at.slot, at.index, at.peer_index});
    trace_queues(c);
    return;
  }
  PpeState& st = *ppes_[c.ppe];
  auto db = st.doorbell.push(&c);
  trace_queues(c);
  cpus_->run(cpu, amp_.kal_post, 1, 0, {source, at.slot, at.index, at.peer_index, db.slot, db.index, db.peer_index});
  Ppe& engine = *st.engine;
  cpus_->defer(cpu, [this, &engine] { engine.visible_at(calendar_.now()); });
}

AmpHost::Reaped AmpHost::reap(int cpu, const world::TcpEndpoint& ep) {
  Conn& c = *conns_.at(&ep);
  Reaped r;
  while (!c.events.empty()) {
    auto e = c.events.pop();
    cpus_->run(cpu, amp_.kal_reap, 1, 0, {e.slot, e.index, e.peer_index});
    r.bytes += e.entry.bytes;
    ++r.events;
  }
  trace_queues(c);
  return r;
}

void AmpHost::set_wait_threshold(const world::TcpEndpoint& ep, std::uint64_t events) {
  Conn& c = *conns_.at(&ep);
  c.wait_threshold = events;
  if (take_wait(c)) c.session->wake();
}

std::uint64_t AmpHost::pending_events(const world::TcpEndpoint& ep) const { return conns_.at(&ep)->events.size(); }

std::uint64_t AmpHost::posted_receives(const world::TcpEndpoint& ep) const { return conns_.at(&ep)->posted.size(); }

void AmpHost::copy_out_on_host(int cpu, const world::TcpEndpoint& ep, std::uint64_t bytes, models::Addr user) {
  // amp.rx_copy = host: the socket buffers the PPE handed over are copied and freed here.
  cpus_->run(cpu, paths_.copy_to_user, 1, bytes, {models::stored(user, bytes)});
  const std::uint32_t frames = std::max<std::uint32_t>(1, conns_.at(&ep)->ep->connection().mss());
  cpus_->run(cpu, paths_.kfree_skb, static_cast<double>((bytes + frames - 1) / frames), 0);
}

}  // namespace iscsim::host::amp
