#include "sim/host/amp/AmpHost.hpp"

#include <algorithm>
#include <cmath>

#include "sim/host/CpuTracks.hpp"
#include "sim/host/amp/AmpSession.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::amp {

namespace {
constexpr unsigned kPortShift = 32;
constexpr unsigned kLocalShift = 16;
constexpr double kPicosPerSecondD = 1e12;
// What one iteration of the loop polls per NIC: its RX descriptor head and its TX head.
constexpr double kSourcesPerNic = 2;
}  // namespace

struct AmpHost::Port {
  world::NicPort* nic = nullptr;
  std::size_t ppe = 0;
  kernel::TxQueue tx;
  std::deque<Skb> rx_posted;
  std::deque<models::Addr> tx_heads;
  kernel::DescriptorRing rx_ring;
  kernel::DescriptorRing tx_ring;
};

struct AmpHost::Conn {
  Conn(models::AddressSpace& memory, const AmpConfig& c) : work(memory, c.work_queue), events(memory, c.event_queue) {}
  world::TcpEndpoint* ep = nullptr;
  std::size_t port = 0;
  std::size_t ppe = 0;
  models::Addr sock = 0;
  SharedRing<WorkEntry> work;
  SharedRing<EventEntry> events;
  std::uint64_t send_pending = 0;  // posted for sending, not yet in TCP
  std::deque<std::pair<models::Addr, std::uint64_t>> send_sources;  // where the NIC reads, in order
  struct Posted {
    std::uint64_t bytes = 0;
    std::uint64_t filled = 0;
    models::Addr buffer = 0;
  };
  std::deque<Posted> posted;  // pre-posted receive buffers, in order
  struct Pending {
    Skb skb;
    std::uint64_t bytes = 0;
    std::uint64_t copied = 0;
  };
  std::deque<Pending> rx_skbs;  // received payload not yet copied out
  std::uint64_t wait_threshold = 1;
  double release_pages_owed = 0;
  bool dirty = false;
  stack::tcp::State last_state = stack::tcp::State::Closed;
  AmpSession* session = nullptr;
};

struct AmpHost::PpeState {
  PpeState(models::AddressSpace& memory, const AmpConfig& c)
      : doorbell(memory, c.doorbell), inbox(memory, c.doorbell), inbox_lock(memory.region(memory.line_bytes())) {}
  std::unique_ptr<Ppe> engine;
  SharedRing<Conn*> doorbell;
  // Frames another PPE polled for connections this one owns: several producers, so a lock.
  struct Handover {
    std::size_t port = 0;
    world::Frame frame;
    Skb skb;
  };
  SharedRing<Handover> inbox;
  models::Addr inbox_lock;
  std::vector<std::size_t> ports;
  std::vector<Conn*> conns;
  std::deque<std::pair<std::size_t, std::shared_ptr<world::Frame>>> timer_frames;  // sent outside the loop
};

AmpHost::AmpHost(std::string name, world::Calendar& calendar, models::MemoryBus& fsb, const models::CpuParams& cpu,
                 const models::CacheGeometry& cache, models::CodePathCatalog catalog,
                 const kernel::KernelObjects& objects, const AmpConfig& config)
    : name_(std::move(name)),
      calendar_(calendar),
      config_(config),
      catalog_(std::move(catalog)),
      objects_(objects),
      paths_(kernel::KernelPaths::resolve(catalog_)),
      amp_(AmpPaths::resolve(catalog_, config.strategy.rx_copy_path)),
      memory_(cache.line_bytes, objects.page_bytes),
      caches_(cache, config.cores) {
  cost_ = std::make_unique<models::CpuCostModel>(cpu, catalog_, caches_, fsb, memory_, config.cores, config.hz);
  cpus_ = std::make_unique<kernel::CpuSet>(calendar, *cost_, paths_.scheduler, hosts());
  if (config.strategy.host_wait == scenario::HostWait::Poll) cpus_->set_idle_path(amp_.kal_reap);
  cpus_->start_local_timers(objects_.tick_period(), paths_.local_timer);
  if (objects_.task_hot_bytes > 0) cpus_->set_scheduler_objects(memory_, objects_.task_hot_bytes);
  if (config.timeline != nullptr) {
    tracks_ = cpu_tracks(*config.timeline, name_, *this);
    queue_track_ = config.timeline->track(name_, "");
    cpus_->trace_to(config.timeline, {tracks_.begin(), tracks_.begin() + hosts()}, queue_track_);
  }
  skb_data_ = &memory_.cache("size-2048", objects.skb_data_bytes);
  skb_heads_ = &memory_.cache("skbuff_head_cache", objects.skb_head_bytes);
  for (int i = 0; i < config.ppes; ++i) ppes_.push_back(std::make_unique<PpeState>(memory_, config_));
}

AmpHost::~AmpHost() = default;

Ppe& AmpHost::ppe_of(const Conn& c) { return *ppes_[c.ppe]->engine; }

void AmpHost::ensure_engines() {
  if (ppes_.empty() || ppes_.front()->engine) return;
  for (std::size_t i = 0; i < ppes_.size(); ++i) {
    PpeConfig pc;
    pc.cpu = hosts() + static_cast<int>(i);
    const double sources = kSourcesPerNic * static_cast<double>(ppes_[i]->ports.size()) + 1;
    const models::CodePath& poll = catalog_[amp_.ppe_poll];
    pc.poll_period = static_cast<Picos>(std::llround(poll.compute_cycles(sources, 0) / config_.hz * kPicosPerSecondD));
    pc.instr_per_empty_poll = poll.instructions(sources, 0);
    pc.tick_period = config_.ppe_timer_tick ? objects_.tick_period() : 0;
    pc.tick_entry = paths_.scheduler.irq_entry;
    pc.tick_handler = paths_.local_timer;
    pc.window_start = config_.window_start;
    pc.window_end = config_.window_end;
    ppes_[i]->engine = std::make_unique<Ppe>(pc, calendar_, *cost_, [this, i](Ppe&) { iteration(static_cast<int>(i)); });
    if (config_.timeline != nullptr) ppes_[i]->engine->trace_to(config_.timeline, tracks_[static_cast<std::size_t>(pc.cpu)]);
  }
}

AmpHost::FlowKey AmpHost::flow_key(std::size_t port, std::uint16_t local, std::uint16_t remote) {
  return (static_cast<std::uint64_t>(port) << kPortShift) | (static_cast<std::uint64_t>(local) << kLocalShift) |
         remote;
}

AmpHost::Skb AmpHost::alloc_skb() { return Skb{skb_heads_->alloc(), skb_data_->alloc()}; }

void AmpHost::free_skb(Ppe& p, const Skb& skb) {
  p.run(paths_.kfree_skb, 1, 0, {{skb.head, objects_.skb_head_bytes, true}});
  skb_heads_->free(skb.head);
  if (skb.data != 0) skb_data_->free(skb.data);
}

std::size_t AmpHost::attach(world::NicPort* nic) {
  const std::size_t index = ports_.size();
  auto p = std::make_unique<Port>();
  p->nic = nic;
  p->tx = kernel::TxQueue(nic);
  p->ppe = index % ppes_.size();
  p->rx_ring = kernel::DescriptorRing(memory_.region(std::uint64_t{config_.rx_ring} * objects_.descriptor_bytes),
                                       config_.rx_ring, objects_.descriptor_bytes);
  p->tx_ring = kernel::DescriptorRing(memory_.region(std::uint64_t{config_.tx_ring} * objects_.descriptor_bytes),
                                       config_.tx_ring, objects_.descriptor_bytes);
  for (std::uint32_t i = 0; i < config_.rx_ring; ++i) p->rx_posted.push_back(alloc_skb());
  ppes_[p->ppe]->ports.push_back(index);
  // Interrupts masked: the PPE polls the rings and sees each write-back at its next iteration.
  const std::size_t ppe = p->ppe;
  nic->set_poller([this, ppe](Picos at) {
    ensure_engines();
    ppes_[ppe]->engine->visible_at(at);
  });
  ports_.push_back(std::move(p));
  return index;
}

void AmpHost::bind(std::size_t port_index, world::TcpEndpoint* ep) {
  ensure_engines();
  flows_[flow_key(port_index, ep->local_port(), ep->remote_port())] = ep;
  auto c = std::make_unique<Conn>(memory_, config_);
  c->ep = ep;
  c->port = port_index;
  c->ppe = config_.strategy.flow_steering == scenario::FlowSteering::PerConnection ? next_conn_ % ppes_.size()
                                                                                    : ports_[port_index]->ppe;
  ++next_conn_;
  c->sock = memory_.cache("tcp_sock", objects_.sock_bytes).alloc();
  ppes_[c->ppe]->conns.push_back(c.get());
  conns_[ep] = std::move(c);
}

Ppe* AmpHost::executing_ppe() {
  for (auto& st : ppes_)
    if (st->engine && st->engine->executing()) return st->engine.get();
  return nullptr;
}

void AmpHost::mark_dirty(const world::TcpEndpoint& ep) {
  Conn& c = *conns_.at(&ep);
  c.dirty = true;
  if (executing_ppe() == nullptr) ppe_of(c).visible_at(calendar_.now());
}

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
    auto [port, frame] = st.timer_frames.front();
    st.timer_frames.pop_front();
    p.run(paths_.tcp_timer, 1, 0);
    charge_transmit(p, port, *frame);
    p.defer([this, port = port, frame = frame] { ports_[port]->tx.release(frame); });
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
    p.run(paths_.e1000_clean_tx, reclaimed, 0, {port.tx_ring.clean(caches_, reclaimed)});
    for (std::uint32_t i = 0; i < reclaimed && !port.tx_heads.empty(); ++i) {
      free_skb(p, Skb{port.tx_heads.front(), 0});
      port.tx_heads.pop_front();
    }
    port.tx.drain();
  }
  std::vector<world::Frame> frames = port.nic->clean_rx();
  // The refill's tail write tells the NIC once per iteration, as e1000_alloc_rx_buffers does.
  if (!frames.empty()) p.run(amp_.rx_refill_tail, 1, 0);
  for (world::Frame& frame : frames) {
    const Skb skb = port.rx_posted.front();
    port.rx_posted.pop_front();
    const models::Touch desc = port.rx_ring.clean(caches_);
    caches_.dma_write(skb.data, frame.size());
    p.run(paths_.e1000_clean_rx, 1, 0, {desc, {skb.data, objects_.header_bytes, false}, {skb.head, objects_.skb_head_bytes, true}});
    const Skb fresh = alloc_skb();
    p.run(paths_.alloc_skb, 1, 0, {{fresh.head, objects_.skb_head_bytes, true}});
    port.rx_posted.push_back(fresh);
    p.run(paths_.e1000_alloc_rx, 1, 0, {port.rx_ring.post()});
    receive(p, port_index, frame, skb);
  }
}

void AmpHost::receive(Ppe& p, std::size_t port_index, world::Frame& frame, const Skb& skb) {
  const stack::net::ParseResult parsed = stack::net::parse_frame(frame.data(), frame.size());
  if (!parsed.ok()) {
    ++errors_.bad_frames;
    return free_skb(p, skb);
  }
  const stack::tcp::Segment& seg = parsed.frame().segment;
  auto it = flows_.find(flow_key(port_index, seg.dst_port, seg.src_port));
  if (it == flows_.end()) {
    ++errors_.no_endpoint;
    return free_skb(p, skb);
  }
  world::TcpEndpoint& ep = *it->second;
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
  p.run(path, 1, 0, {{c.sock, objects_.sock_hot_bytes, true}, {skb.data, objects_.header_bytes, false},
                     {skb.head, objects_.skb_head_bytes, true}});
  const std::uint64_t before = ep.connection().readable();
  const std::uint64_t space_before = ep.connection().send_space();
  ep.deliver(seg);
  const std::uint64_t after = ep.connection().readable();
  const std::uint64_t queued = after > before ? after - before : 0;
  const std::uint64_t freed =
      ep.connection().send_space() > space_before ? ep.connection().send_space() - space_before : 0;
  const std::uint32_t mss = std::max<std::uint32_t>(1, ep.connection().mss());
  if (freed > 0) {
    p.run(paths_.kfree_skb, static_cast<double>((freed + mss - 1) / mss), 0);
    if (config_.strategy.tx_zero_copy) {
      // The acknowledged segments drop their references on the user pages they pointed into.
      c.release_pages_owed += static_cast<double>(freed) / objects_.page_bytes;
      const double whole = std::floor(c.release_pages_owed);
      if (whole > 0) p.run(amp_.zero_copy_release, whole, 0);
      c.release_pages_owed -= whole;
    }
  }
  if (queued > 0)
    c.rx_skbs.push_back(Conn::Pending{skb, queued, 0});
  else
    free_skb(p, skb);
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
        p.run(paths_.tcp_sendmsg, 1, 0, {{c.sock, objects_.sock_hot_bytes, true}});
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
    p.run(paths_.tcp_recvmsg, 1, 0, {{c.sock, objects_.sock_hot_bytes, true}});
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
      if (config_.strategy.rx_copy_on_ppe) {
        const models::Addr src = s.skb.data + objects_.header_bytes + s.copied;
        p.run(amp_.rx_copy, 1, k, {{src, k, false}, {dst + (n - left), matched ? k : 0, true}});
        counts_.rx_copied_bytes += k;
      }
      s.copied += k;
      left -= k;
      if (s.copied == s.bytes) {
        if (config_.strategy.rx_copy_on_ppe) free_skb(p, s.skb);
        c.rx_skbs.pop_front();
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
  // The event is visible once the engine's iteration has written it.
  p.defer([this, conn = &c] { wake_host(*conn); });
}

void AmpHost::wake_host(Conn& c) {
  if (c.session == nullptr || c.wait_threshold == 0 || c.events.size() < c.wait_threshold) return;
  c.wait_threshold = 0;
  ++counts_.host_wakeups;
  c.session->wake();
}

void AmpHost::post(int cpu, const world::TcpEndpoint& ep, const WorkEntry& e, bool ring_doorbell) {
  Conn& c = *conns_.at(&ep);
  auto at = c.work.push(e);
  if (!ring_doorbell) {
    cpus_->run(cpu, amp_.kal_post, 1, 0, {at.slot, at.index, at.peer_index});
    trace_queues(c);
    return;
  }
  PpeState& st = *ppes_[c.ppe];
  auto db = st.doorbell.push(&c);
  trace_queues(c);
  cpus_->run(cpu, amp_.kal_post, 1, 0, {at.slot, at.index, at.peer_index, db.slot, db.index, db.peer_index});
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
  if (events > 0 && c.events.size() >= events) wake_host(c);
}

std::uint64_t AmpHost::pending_events(const world::TcpEndpoint& ep) const { return conns_.at(&ep)->events.size(); }

std::uint64_t AmpHost::posted_receives(const world::TcpEndpoint& ep) const { return conns_.at(&ep)->posted.size(); }

void AmpHost::copy_out_on_host(int cpu, const world::TcpEndpoint& ep, std::uint64_t bytes, models::Addr user) {
  // amp.rx_copy = host: the socket buffers the PPE handed over are copied and freed here.
  (void)ep;
  cpus_->run(cpu, paths_.copy_to_user, 1, bytes, {{user, bytes, true}});
  const std::uint32_t frames = std::max<std::uint32_t>(1, conns_.at(&ep)->ep->connection().mss());
  cpus_->run(cpu, paths_.kfree_skb, static_cast<double>((bytes + frames - 1) / frames), 0);
}

void AmpHost::charge_transmit(Ppe& p, std::size_t port_index, const world::Frame& frame) {
  Port& port = *ports_[port_index];
  const stack::net::ParseResult parsed = stack::net::parse_frame(frame.data(), frame.size());
  Conn* c = nullptr;
  if (parsed.ok()) {
    const auto& seg = parsed.frame().segment;
    auto it = flows_.find(flow_key(port_index, seg.src_port, seg.dst_port));
    if (it != flows_.end()) c = conns_.at(it->second).get();
  }
  if (c != nullptr) {
    p.run(paths_.tcp_transmit, 1, 0, {{c->sock, objects_.sock_hot_bytes, true}});
    // The NIC reads the payload where the host's post said: the user's pages (zero-copy) or the copy.
    std::uint64_t payload = parsed.frame().segment.payload.size();
    while (payload > 0 && !c->send_sources.empty()) {
      auto& [addr, bytes] = c->send_sources.front();
      const std::uint64_t n = std::min(payload, bytes);
      caches_.dma_read(addr, n);
      counts_.tx_dma_bytes += n;
      addr += n;
      bytes -= n;
      payload -= n;
      if (bytes == 0) c->send_sources.pop_front();
    }
  } else {
    p.run(paths_.tcp_transmit, 1, 0);
  }
  const models::Addr head = skb_heads_->alloc();
  port.tx_heads.push_back(head);
  p.run(paths_.alloc_skb, 1, 0, {{head, objects_.skb_head_bytes, true}});
  p.run(paths_.e1000_xmit_frame, 1, 0,
        {port.tx_ring.post(), {head, objects_.skb_head_bytes, false}});
}

void AmpHost::send(std::size_t port_index, world::Frame frame) {
  ensure_engines();
  const std::shared_ptr<world::Frame> shared = ports_[port_index]->tx.enqueue(std::move(frame));
  if (Ppe* p = executing_ppe()) {
    charge_transmit(*p, port_index, *shared);
    p->defer([this, port_index, shared] { ports_[port_index]->tx.release(shared); });
    return;
  }
  // A TCP timer or a connect: the engine that owns the flow sends it on its next iteration.
  std::size_t ppe = ports_[port_index]->ppe;
  const stack::net::ParseResult parsed = stack::net::parse_frame(shared->data(), shared->size());
  if (parsed.ok()) {
    const auto& seg = parsed.frame().segment;
    auto it = flows_.find(flow_key(port_index, seg.src_port, seg.dst_port));
    if (it != flows_.end()) ppe = conns_.at(it->second)->ppe;
  }
  ppes_[ppe]->timer_frames.emplace_back(port_index, shared);
  ppes_[ppe]->engine->visible_at(calendar_.now());
}

std::uint64_t AmpHost::qdisc_peak() const {
  std::uint64_t peak = 0;
  for (const auto& p : ports_) peak = std::max(peak, p->tx.qdisc_peak());
  return peak;
}

std::unique_ptr<world::IoTarget> AmpHost::bind_session(world::IscsiInitiatorLink& link, std::size_t index,
                                                       std::uint64_t user_buffer_bytes) {
  auto s = std::make_unique<AmpSession>(*this, link, index, user_buffer_bytes);
  sessions_.push_back(s.get());
  return s;
}

void AmpHost::attach_session(const world::TcpEndpoint& ep, AmpSession* session) {
  Conn& c = *conns_.at(&ep);
  c.session = session;
  c.last_state = ep.connection().state();
}

void AmpHost::trace_queues(const Conn& c) {
  if (config_.timeline == nullptr) return;
  const Picos now = calendar_.now();
  config_.timeline->counter(queue_track_, now, c.ep->name() + " work queue", "entries",
                            static_cast<double>(c.work.size()));
  config_.timeline->counter(queue_track_, now, c.ep->name() + " event queue", "entries",
                            static_cast<double>(c.events.size()));
  config_.timeline->counter(queue_track_, now, "ppe" + std::to_string(c.ppe) + " doorbell", "entries",
                            static_cast<double>(ppes_[c.ppe]->doorbell.size()));
}

CpuEvents AmpHost::events(int cpu) const {
  if (cpu < hosts()) return cpus_->events(cpu);
  return ppes_[static_cast<std::size_t>(cpu - hosts())]->engine->events();
}

double AmpHost::idle_instructions(int cpu, double idle_cycles) const {
  if (cpu < hosts()) return idle_cycles * cost_->params().idle_instr_per_cycle;
  return ppes_[static_cast<std::size_t>(cpu - hosts())]->engine->idle_instructions(calendar_.now());
}

nlohmann::json AmpHost::stats() const {
  std::uint64_t iterations = 0;
  for (const auto& st : ppes_) iterations += st->engine ? st->engine->iterations() : 0;
  return {{"interrupts", 0},
          {"ipis", cpus_->ipis()},
          {"context_switches", cpus_->context_switches()},
          {"preemptions", cpus_->preemptions()},
          {"ppe_iterations", iterations},
          {"doorbells", counts_.doorbells},
          {"work_requests", counts_.work_requests},
          {"events", counts_.events},
          {"fallback_events", counts_.fallback_events},
          {"host_wakeups", counts_.host_wakeups},
          {"zero_copy_pages", counts_.zero_copy_pages},
          {"nic_read_from_posted_buffers_bytes", counts_.tx_dma_bytes},
          {"host_waits", counts_.host_waits},
          {"ppe_rx_copied_bytes", counts_.rx_copied_bytes}};
}

}  // namespace iscsim::host::amp
