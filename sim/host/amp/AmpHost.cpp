#include "sim/host/amp/AmpHost.hpp"

#include <algorithm>
#include <cmath>

#include "sim/host/CpuTracks.hpp"
#include "sim/host/amp/AmpHostState.hpp"
#include "sim/host/amp/AmpSession.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::amp {

namespace {
constexpr double kPicosPerSecondD = 1e12;
}  // namespace

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
      memory_(cache.line_bytes, objects.page_bytes, config.code_layout),
      caches_(cache, config.cores),
      timers_(memory_, objects.timers, objects.tick_period()),
      routes_(memory_, objects.routes) {
  cost_ = std::make_unique<models::CpuCostModel>(cpu, catalog_, caches_, fsb, memory_, config.cores, config.hz);
  cpus_ = std::make_unique<kernel::CpuSet>(calendar, *cost_, paths_.scheduler, hosts());
  if (config.strategy.host_wait == scenario::HostWait::Poll) cpus_->set_idle_path(amp_.kal_reap);
  if (config.idle_poll) cpus_->set_idle_polls();
  cpus_->start_local_timers(objects_.tick_period(), paths_.local_timer);
  cpus_->start_profiler(config.profiler_period);
  profiler_daemon_ = kernel::OprofileDaemon::attach(*cpus_, memory_, config.profiler_daemon, config.profiler_period,
                                                     config.cores, paths_);
  cpus_->set_scheduler_weights(objects_.scheduler);
  cpus_->set_scheduler_objects(memory_, objects_.task);
  if (objects_.aio.globals > 0) aio_globals_ = memory_.region(objects_.aio.globals);
  if (config.timeline != nullptr) {
    tracks_ = cpu_tracks(*config.timeline, name_, *this);
    queue_track_ = config.timeline->track(name_, "");
    cpus_->trace_to(config.timeline, {tracks_.begin(), tracks_.begin() + hosts()}, queue_track_);
  }
  skb_data_ = &memory_.cache("size-" + std::to_string(objects.skb_data_bytes), objects.skb_data_bytes);
  skb_heads_ = &memory_.cache("skbuff_head_cache", objects.skb_head_bytes);
  tx_header_data_ =
      &memory_.cache("size-" + std::to_string(objects.header_data_object_bytes()), objects.header_data_object_bytes());
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
    pc.tick_entry = paths_.scheduler.apic_entry;
    pc.tick_handler = paths_.local_timer;
    pc.ipi_handler = paths_.scheduler.ipi_handler;
    pc.sample_period = config_.profiler_period;
    pc.sample_phase = kernel::staggered_phase(config_.profiler_period, pc.cpu, config_.cores);
    pc.window_start = config_.window_start;
    pc.window_end = config_.window_end;
    ppes_[i]->engine = std::make_unique<Ppe>(pc, calendar_, *cost_, [this, i](Ppe&) { iteration(static_cast<int>(i)); });
    if (profiler_daemon_) {
      const int cpu = pc.cpu;
      ppes_[i]->engine->on_sample([this, cpu] { profiler_daemon_->sample(cpu); });
    }
    if (config_.timeline != nullptr) ppes_[i]->engine->trace_to(config_.timeline, tracks_[static_cast<std::size_t>(pc.cpu)]);
    if (config_.strategy.ppe_policy == scenario::PpePolicy::Other) {
      // Its SCHED_OTHER thread never calls schedule(), so 2.4's scheduler still weighs its CPU.
      Ppe& engine = *ppes_[i]->engine;
      kernel::Thread* resident = cpus_->add_foreign_cpu("ppe" + std::to_string(i), [&engine] { engine.ipi(); });
      engine.on_tick([this, resident] { cpus_->tick_foreign(resident); });
    }
  }
}

AmpHost::Skb AmpHost::alloc_skb() { return Skb{skb_heads_->alloc(), skb_data_->alloc()}; }

void AmpHost::free_skb(Ppe& p, const Skb& skb) {
  p.run(paths_.kfree_skb, 1, 0,
        {{skb.head, objects_.skb_head_bytes, true}, routes_.release(skb.dst),
         objects_.shinfo(objects_.rx_shinfo(skb.data), kernel::KernelObjects::ShinfoUse::Read)});
  skb_heads_->free(skb.head);
  if (skb.data != 0) skb_data_->free(skb.data);
}

void AmpHost::free_tx_clone(Ppe& p, const kernel::TxClone& clone) {
  // The PPE's own free of a sent clone returns its truesize to the socket (sock_wfree).
  p.run(paths_.kfree_skb, 1, 0,
        {{clone.head, objects_.skb_head_bytes, true}, routes_.release(clone.dst),
         clone.owner_write(objects_.sock_wfree_bytes),
         objects_.shinfo(objects_.header_data_shinfo(clone.data), kernel::KernelObjects::ShinfoUse::Read)});
  skb_heads_->free(clone.head);
  if (clone.data != 0) tx_header_data_->free(clone.data);
}

std::size_t AmpHost::attach(world::NicPort* nic) {
  const std::size_t index = ports_.size();
  auto p = std::make_unique<Port>();
  p->nic = nic;
  p->tx = kernel::TxQueue(nic);
  p->ppe = index % ppes_.size();
  // The PPE's driver keeps the rings' records as e1000's does; its own stack has no Linux qdisc.
  p->rx_ring = kernel::ReceiveRing::allocate(memory_, config_.rx_ring, objects_.descriptor_bytes,
                                             objects_.e1000_buffer_bytes, objects_.rx_frame_offset_bytes);
  p->tx_ring = kernel::DescriptorRing::allocate(memory_, config_.tx_ring, objects_.descriptor_bytes,
                                                objects_.tx_ring_indices_bytes, objects_.e1000_buffer_bytes);
  for (std::uint32_t i = 0; i < config_.rx_ring; ++i) p->rx_ring.fill(alloc_skb());
  ppes_[p->ppe]->ports.push_back(index);
  // Interrupts masked: the PPE polls the rings and sees each write-back at its next iteration.
  const std::size_t ppe = p->ppe;
  nic->set_poller([this, ppe](Picos at) {
    ensure_engines();
    ppes_[ppe]->engine->visible_at(at);
  });
  nic->set_dma_writes(
      {[this, index](std::uint32_t bytes) { ports_[index]->rx_ring.land(*cost_, calendar_.now(), bytes); },
       [this, index] { ports_[index]->tx_ring.write_back(*cost_, calendar_.now()); }});
  ports_.push_back(std::move(p));
  return index;
}

void AmpHost::bind(std::size_t port_index, world::TcpEndpoint* ep) {
  ensure_engines();
  flows_.add(port_index, ep);
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

void AmpHost::charge_timers(Ppe& p, Conn& c) {
  c.timer_calls.charge_new(c.ep->connection(), c.sock, objects_, timers_, calendar_.now(),
                           [&](const kernel::TimerWheel::Call& call) { p.run(paths_.mod_timer, 1, 0, call.list()); });
}

void AmpHost::charge_transmit(Ppe& p, std::size_t port_index, kernel::TxQueue::Ticket ticket) {
  Port& port = *ports_[port_index];
  const world::Frame& frame = port.tx.frame(ticket);
  // e1000_tx_map's descriptors: the headers' (the sk_buff's linear part) and, for a payload, a
  // checksum context (CHECKSUM_HW: the NIC sums data the PPE never reads) and one for each piece
  // of a page it lies in.
  std::uint32_t descriptors = 1;
  std::uint32_t pieces = 0;
  stack::net::FrameHeaders sent;
  world::TcpEndpoint* ep =
      stack::net::read_headers(frame.data(), frame.size(), sent) ? flows_.outbound(port_index, sent.frame.segment) : nullptr;
  Conn* c = ep != nullptr ? conns_.at(ep).get() : nullptr;
  // The route the connection sends on, as SmpHost's transmit uses it.
  const kernel::RouteCache::Route route =
      c != nullptr ? routes_.to(port_index, sent.frame.addr.dst_ip.value) : kernel::RouteCache::Route{};
  const auto [out_route, header_cache] = routes_.transmit(route);
  models::Addr header_data = 0;
  if (c != nullptr) {
    // Only bytes sent for the first time move on through the write queue and the posted sources;
    // a retransmission sends again from the queue's head (its DMA read is not charged).
    const std::uint64_t payload = sent.payload_bytes;
    std::uint64_t fresh = c->sent.send(sent.frame.segment.seq, payload).fresh;
    // tcp_transmit_skb fills in the head of the sk_buff it sends (and clones it) and, with
    // ip_queue_xmit, writes the headers in its linear data: MAX_TCP_HEADER of it, alloc_skb'd by
    // do_tcp_sendpages or tcp_send_ack. Taken here for each frame and freed with its clone: the
    // PPE's own objects, which stay in its cache however long each one lives.
    const models::Addr skb = c->write_queue.transmit(payload, fresh).head;
    if (objects_.sent_headers_in_data) header_data = tx_header_data_->alloc();
    const models::Touch headers = kernel::tx_headers(frame.size(), payload, objects_.header_data_end(header_data));
    p.run(paths_.tcp_transmit, 1, 0,
          {objects_.sock_hot(c->sock, true), {skb, skb != 0 ? objects_.skb_head_bytes : 0, true}, out_route,
           header_cache, headers});
    charge_timers(p, *c);
    if (headers.bytes > 0) caches_.dma_read(headers.addr, headers.bytes);
    // The NIC reads the payload where the host's post said: the user's pages (zero-copy) or the copy.
    // A retransmission's payload is taken as one piece.
    pieces = fresh > 0 ? 0 : 1;
    while (fresh > 0 && !c->send_sources.empty()) {
      auto& [addr, bytes] = c->send_sources.front();
      const std::uint64_t n = std::min(fresh, bytes);
      pieces += static_cast<std::uint32_t>((addr + n - 1) / objects_.page_bytes - addr / objects_.page_bytes + 1);
      caches_.dma_read(addr, n);
      counts_.tx_dma_bytes += n;
      addr += n;
      bytes -= n;
      fresh -= n;
      if (bytes == 0) c->send_sources.pop_front();
    }
    if (payload > 0) descriptors += 1 + pieces;
  } else {
    p.run(paths_.tcp_transmit, 1, 0);
  }
  const models::Addr head = skb_heads_->alloc();
  port.tx_clones.push_back({head, c != nullptr ? c->sock : 0, route.output, header_data, false});
  p.run(paths_.alloc_skb, 1, 0,
        {{head, objects_.skb_head_bytes, true},
         objects_.shinfo(objects_.header_data_shinfo(header_data), kernel::KernelObjects::ShinfoUse::Set)});
  port.tx.map(ticket, descriptors);
  const kernel::DescriptorRing::Slots slot = port.tx_ring.post(descriptors);
  p.run(paths_.e1000_xmit_frame, 1, 0,
        {slot.descriptors, slot.records, port.tx_ring.indices(), {head, objects_.skb_head_bytes, false}});
  // What e1000_xmit_frame's count (a linear frame's one descriptor) leaves out: the checksum
  // context and the payload pieces' descriptors, whose lines it has just written.
  if (descriptors > 1) {
    p.run(amp_.tx_csum, 1, 0);
    p.run(amp_.tx_frag, pieces, 0);
  }
}

void AmpHost::send(std::size_t port_index, world::Frame frame) {
  ensure_engines();
  kernel::TxQueue& tx = ports_[port_index]->tx;
  const kernel::TxQueue::Ticket ticket = tx.enqueue(std::move(frame));
  const world::Frame& sent_frame = tx.frame(ticket);
  if (Ppe* p = executing_ppe()) {
    charge_transmit(*p, port_index, ticket);
    p->defer([&tx, ticket] { tx.release(ticket); });
    return;
  }
  // A TCP timer or a connect: the engine that owns the flow sends it on its next iteration.
  std::size_t ppe = ports_[port_index]->ppe;
  stack::net::FrameHeaders sent;
  if (stack::net::read_headers(sent_frame.data(), sent_frame.size(), sent))
    if (world::TcpEndpoint* ep = flows_.outbound(port_index, sent.frame.segment)) ppe = conns_.at(ep)->ppe;
  ppes_[ppe]->timer_frames.emplace_back(port_index, ticket);
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
  // The connection the session leaves (it failed) is served no more: its socket's leftovers
  // must not be read into the link, which now reads the new one.
  for (auto& [other, old] : conns_)
    if (other != &ep && old->session == session) old->session = nullptr;
  Conn& c = *conns_.at(&ep);
  c.session = session;
  // Seen from the session, the connection was closed: one attached already up (a reconnect's,
  // attached on its first activity) is news that starts the login.
  c.last_state = stack::tcp::State::Closed;
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

std::vector<ThreadUsage> AmpHost::threads() const { return cpus_->thread_usage(); }

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
