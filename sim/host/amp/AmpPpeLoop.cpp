// What a packet engine's productive iteration does: reclaim and receive on its NICs, serve the
// doorbells and work queues, send what TCP timers queued, and serve the connections that moved.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sim/host/amp/AmpHost.hpp"
#include "sim/host/amp/AmpHostState.hpp"
#include "sim/host/amp/AmpSession.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::amp {

void AmpHost::iteration(int index) {
  PpeState& st = *ppes_[static_cast<std::size_t>(index)];
  Ppe& p = *st.engine;
  p.run(amp_.ppe_poll, kSourcesPerNic * static_cast<double>(st.ports.size()) + 1, 0, {st.doorbell.poll()});
  for (std::size_t port : st.ports) clean_port(p, port);
  while (!st.inbox.empty()) {
    auto h = st.inbox.pop();
    p.run(amp_.ppe_doorbell, 1, 0, {{st.inbox_lock, memory_.line_bytes(), true}, h.slot, h.index, h.peer_index});
    receive(p, h.entry.port, h.entry.frame, h.entry.skb);
  }
  serve_doorbells(p, st);
  while (!st.timer_frames.empty()) {
    auto [port, ticket] = st.timer_frames.front();
    st.timer_frames.pop_front();
    p.run(paths_.tcp_timer, 1, 0);
    kernel::TxQueue& tx = ports_[port]->tx;
    charge_transmit(p, port, ticket);
    p.defer([&tx, ticket = ticket] { tx.release(ticket); });
  }
  // Serving one connection may make another's work visible (a reconnect): a few passes at most.
  for (bool again = true; again;) {
    again = false;
    for (Conn* c : st.conns)
      if (c->dirty) {
        c->dirty = false;
        serve_connection(p, *c);
        again = again || c->dirty;
      }
  }
}

void AmpHost::clean_port(Ppe& p, std::size_t port_index) {
  Port& port = *ports_[port_index];
  if (const std::uint32_t reclaimed = port.nic->clean_tx(); reclaimed > 0) {
    const kernel::DescriptorRing::Slots cleaned = port.tx_ring.clean(*cost_, calendar_.now(), reclaimed);
    // The engine calls e1000_clean_tx_irq when its poll finds frames sent: its own part and lock.
    p.run(paths_.e1000_clean_tx_irq, 1, 0, {port.tx_ring.indices()});
    p.run(paths_.e1000_clean_tx, reclaimed, 0, {cleaned.descriptors, cleaned.records, port.tx_ring.indices()});
    for (std::uint32_t i = 0; i < reclaimed && !port.tx_clones.empty(); ++i) {
      free_tx_clone(p, port.tx_clones.front());
      port.tx_clones.pop_front();
    }
    port.tx.drain();
  }
  std::vector<world::Frame> frames = port.nic->clean_rx();
  // e1000_alloc_rx_buffers' own part, once per iteration; its RDT write, once per 16 buffers, is
  // e1000_alloc_rx's.
  if (!frames.empty()) p.run(amp_.rx_refill_tail, 1, 0);
  for (world::Frame& frame : frames) {
    const auto [skb, desc, record] =
        port.rx_ring.take(*cost_, calendar_.now(), frame.size(), kernel::frame_header_bytes(frame.data(), frame.size()));
    p.run(paths_.e1000_clean_rx, 1, 0, {desc, record, {skb.head, objects_.skb_head_bytes, true}});
    p.run(paths_.eth_type_trans, 1, 0, {objects_.rx_headers(skb)});  // as SmpHost: the header's first read
    const Skb fresh = alloc_skb();
    p.run(paths_.alloc_skb, 1, 0,
          {{fresh.head, objects_.skb_head_bytes, true}, objects_.shinfo(objects_.rx_shinfo(fresh.data), kernel::KernelObjects::ShinfoUse::Set)});
    const kernel::DescriptorRing::Slots posted = port.rx_ring.post(fresh);
    p.run(paths_.e1000_alloc_rx, 1, 0, {posted.descriptors, posted.records});
    receive(p, port_index, frame, skb);
    port.nic->recycle(std::move(frame));  // parsed (or handed to another PPE, which took the buffer)
  }
}

void AmpHost::receive(Ppe& p, std::size_t port_index, world::Frame& frame, const Skb& skb) {
  if (stack::net::parse_frame_into(frame.data(), frame.size(), received_) != nullptr) {
    ++errors_.bad_frames;
    return free_skb(p, skb);
  }
  const stack::tcp::Segment& seg = received_.segment;
  world::TcpEndpoint* found = flows_.inbound(port_index, seg);
  if (found == nullptr) {
    ++errors_.no_endpoint;
    return free_skb(p, skb);
  }
  world::TcpEndpoint& ep = *found;
  Conn& c = *conns_.at(&ep);
  if (&ppe_of(c) != &p) {
    // Steered to the PPE that owns the connection: handed over through its inbox under the
    // inbox's lock (PPE-to-PPE sharing needs one; host-to-PPE queues do not).
    PpeState& owner = *ppes_[c.ppe];
    auto at = owner.inbox.push(PpeState::Handover{port_index, std::move(frame), skb});
    p.run(amp_.ppe_event_post, 1, 0,
          {{owner.inbox_lock, memory_.line_bytes(), true}, at.slot, at.index, at.peer_index,
           {skb.head, objects_.skb_head_bytes, true}});
    Ppe& engine = *owner.engine;
    p.defer([this, &engine] { engine.visible_at(calendar_.now()); });
    return;
  }
  const models::PathId path = seg.payload.empty() ? paths_.tcp_rcv_ack : paths_.tcp_rcv_data;
  // ip_route_input's hit: the sk_buff holds the input route until it is freed.
  const kernel::RouteCache::Route& route = routes_.to(port_index, received_.addr.src_ip.value);
  Skb routed = skb;
  routed.dst = route.input;
  const auto [bucket, input_route] = routes_.input(route);
  p.run(paths_.ip_rcv, 1, 0,
        {objects_.rx_headers(skb), {skb.head, objects_.skb_head_bytes, true}, bucket, input_route});
  p.run(paths_.tcp_v4_rcv, 1, 0, {{c.sock, memory_.line_bytes(), true}});
  p.run(path, 1, 0, {objects_.sock_hot(c.sock, true), objects_.rx_headers(skb),
                     {skb.head, objects_.skb_head_bytes, true}});
  const std::uint64_t before = ep.connection().readable();
  const std::uint64_t space_before = ep.connection().send_space();
  ep.deliver(seg);
  const std::uint64_t after = ep.connection().readable();
  const std::uint64_t queued = after > before ? after - before : 0;
  const std::uint64_t freed =
      ep.connection().send_space() > space_before ? ep.connection().send_space() - space_before : 0;
  // tcp_clean_rtx_queue reads each sk_buff the ACK covers, and frees it.
  const std::vector<kernel::WriteQueue::Buffers> acked = c.write_queue.acknowledge(freed);
  for (const kernel::WriteQueue::Buffers& b : acked) {
    p.run(path, 0, 0, {{b.head, objects_.skb_head_bytes, false}});
    p.run(paths_.kfree_skb, 1, 0, {{b.head, objects_.skb_head_bytes, true}});
    skb_heads_->free(b.head);
  }
  // __skb_unlink of the last of them wrote the new front's prev.
  if (!acked.empty()) p.run(path, 0, 0, {objects_.skb_link(c.write_queue.front())});
  charge_timers(p, c);
  if (freed > 0) {
    if (config_.strategy.tx_zero_copy) {
      // The acknowledged segments drop their references on the user pages they pointed into.
      c.release_pages_owed += static_cast<double>(freed) / objects_.page_bytes;
      const double whole = std::floor(c.release_pages_owed);
      if (whole > 0) p.run(amp_.zero_copy_release, whole, 0);
      c.release_pages_owed -= whole;
    }
  }
  if (queued > 0) {
    if (!c.rx_skbs.empty()) p.run(path, 0, 0, {objects_.skb_link(c.rx_skbs.back().skb.head)});
    c.rx_skbs.push_back(Conn::Pending{routed, queued, 0});
  } else {
    free_skb(p, routed);
  }
  c.dirty = true;
}

void AmpHost::serve_doorbells(Ppe& p, PpeState& st) {
  while (!st.doorbell.empty()) {
    auto db = st.doorbell.pop();
    ++counts_.doorbells;
    p.run(amp_.ppe_doorbell, 1, 0, {db.slot, db.index, db.peer_index});
    Conn& c = *db.entry;
    while (!c.work.empty()) {
      auto w = c.work.pop();
      ++counts_.work_requests;
      p.run(amp_.ppe_work_request, 1, 0, {w.slot, w.index, w.peer_index});
      if (w.entry.kind == WorkEntry::Kind::Send) {
        // The TCP half of a send call, run by the engine: the data enters the send queue.
        const models::Addr tail = c.write_queue.back();
        const std::vector<kernel::WriteQueue::Buffers> fresh =
            c.write_queue.append(w.entry.bytes, c.ep->connection().mss(),
                                 [this] { return kernel::WriteQueue::Buffers{skb_heads_->alloc(), 0}; });
        p.run(paths_.tcp_sendmsg, 1, w.entry.bytes,
              {objects_.sock_hot(c.sock, true), objects_.skb_link(fresh.empty() ? 0 : tail)});
        for (const kernel::WriteQueue::Buffers& b : fresh) p.run(paths_.alloc_skb, 1, 0, {{b.head, objects_.skb_head_bytes, true}});
        c.send_pending += w.entry.bytes;
        c.send_sources.emplace_back(w.entry.buffer, w.entry.bytes);
      } else {
        c.posted.push_back(Conn::Posted{w.entry.bytes, 0, w.entry.buffer});
      }
    }
    c.dirty = true;
    trace_queues(c);
  }
}

void AmpHost::serve_connection(Ppe& p, Conn& c) {
  world::IscsiInitiatorLink* link = c.session != nullptr ? &c.session->link() : nullptr;
  if (link == nullptr) return;
  if (c.send_pending > 0) c.send_pending -= link->transmit(c.send_pending);
  fill_receives(p, c);
  const stack::tcp::State state = c.ep->connection().state();
  if (state != c.last_state) {
    c.last_state = state;
    // A connection that came up or went down: the host learns it from an event of no data.
    if (link->login_due() || state == stack::tcp::State::Closed || state == stack::tcp::State::CloseWait)
      post_event(p, c, EventEntry{0, true});
  }
}

void AmpHost::fill_receives(Ppe& p, Conn& c) {
  world::IscsiInitiatorLink& link = c.session->link();
  // The receive half of the socket layer runs once per buffer filled, as SMP's receive thread
  // reads a PDU's header and its data in two calls.
  const auto filled = [&](EventEntry e) {
    p.run(paths_.tcp_recvmsg, 1, e.bytes, {objects_.sock_hot(c.sock, true)});
    post_event(p, c, e);
  };
  while (c.ep->connection().readable() > 0) {
    const bool matched = !c.posted.empty();
    const std::uint64_t room = matched ? c.posted.front().bytes - c.posted.front().filled : c.ep->connection().readable();
    const std::uint64_t n = link.pull(room);
    if (n == 0) break;
    const models::Addr dst = matched ? c.posted.front().buffer + c.posted.front().filled : 0;
    // The payload leaves the socket buffers: copied into the host's buffer here, or later by the host.
    std::uint64_t left = n;
    while (left > 0 && !c.rx_skbs.empty()) {
      Conn::Pending& s = c.rx_skbs.front();
      const std::uint64_t k = std::min(left, s.bytes - s.copied);
      // tcp_recvmsg's reads of the skb (control block, TCP header) and its unlinking.
      p.run(paths_.tcp_recvmsg, 0, 0, {{s.skb.head, objects_.skb_head_bytes, true}, {s.skb.data, memory_.line_bytes(), false}});
      if (config_.strategy.rx_copy_on_ppe) {
        const models::Addr src = s.skb.payload + s.copied;
        p.run(amp_.rx_copy, 1, k, {{src, k, false}, models::stored(dst + (n - left), matched ? k : 0)});
        counts_.rx_copied_bytes += k;
      }
      s.copied += k;
      left -= k;
      if (s.copied == s.bytes) {
        if (config_.strategy.rx_copy_on_ppe) free_skb(p, s.skb);
        c.rx_skbs.pop_front();
        if (!c.rx_skbs.empty()) p.run(paths_.tcp_recvmsg, 0, 0, {objects_.skb_link(c.rx_skbs.front().skb.head)});
      }
    }
    if (!matched) {
      ++counts_.fallback_events;
      filled(EventEntry{n, true});
      continue;
    }
    c.posted.front().filled += n;
    if (c.posted.front().filled == c.posted.front().bytes) {
      filled(EventEntry{c.posted.front().bytes, false});
      c.posted.pop_front();
    }
  }
}

void AmpHost::post_event(Ppe& p, Conn& c, EventEntry e) {
  auto at = c.events.push(e);
  ++counts_.events;
  p.run(amp_.ppe_event_post, 1, 0, {at.slot, at.index, at.peer_index});
  trace_queues(c);
  // The engine reads the host's wait flag as it writes the event (a host that sets it later finds
  // the event itself: set_wait_threshold). A host asleep for it is woken by an IPI the engine
  // sends in this iteration; the wake-up arrives once the iteration has written the event. (A
  // host thread still in the piece whose end sets the flag needs none: the model sets the flag at
  // the piece's start.)
  if (!take_wait(c)) return;
  if (c.session->needs_ipi()) p.run(paths_.scheduler.send_ipi, 1, 0);
  p.defer([conn = &c] { conn->session->wake(); });
}

bool AmpHost::take_wait(Conn& c) {
  if (c.session == nullptr || c.wait_threshold == 0 || c.events.size() < c.wait_threshold) return false;
  c.wait_threshold = 0;
  ++counts_.host_wakeups;
  return true;
}

}  // namespace iscsim::host::amp
