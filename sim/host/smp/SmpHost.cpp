#include "sim/host/smp/SmpHost.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "sim/host/CpuTracks.hpp"
#include "sim/host/smp/SmpIscsi.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::smp {

SmpHost::SmpHost(std::string name, world::Calendar& calendar, models::MemoryBus& fsb, const models::CpuParams& cpu,
                 const models::CacheGeometry& cache, models::CodePathCatalog catalog, const KernelObjects& objects,
                 const SmpConfig& config)
    : name_(std::move(name)),
      calendar_(calendar),
      config_(config),
      catalog_(std::move(catalog)),
      objects_(objects),
      paths_(KernelPaths::resolve(catalog_)),
      memory_(cache.line_bytes, objects.page_bytes, config.code_layout),
      caches_(cache, config.cpus),
      timers_(memory_, objects.timers, objects.tick_period()),
      routes_(memory_, objects.routes),
      backlog_(config.cpus),
      net_rx_raised_(config.cpus, false) {
  cost_ = std::make_unique<models::CpuCostModel>(cpu, catalog_, caches_, fsb, memory_, config.cpus, config.hz);
  cpus_ = std::make_unique<CpuSet>(calendar, *cost_, paths_.scheduler, config.cpus);
  if (config.idle_poll) cpus_->set_idle_polls();
  cpus_->start_local_timers(objects_.tick_period(), paths_.local_timer);
  cpus_->start_profiler(config.profiler_period);
  profiler_daemon_ = kernel::OprofileDaemon::attach(*cpus_, memory_, config.profiler_daemon, config.profiler_period,
                                                     config.cpus, paths_);
  cpus_->set_scheduler_weights(objects_.scheduler);
  cpus_->set_scheduler_objects(memory_, objects_.task);
  if (objects_.ksoftirqd) cpus_->start_ksoftirqd(objects_.ksoftirqd_nice, objects_.ksoftirqd_timeslice_ticks);
  if (objects_.aio.globals > 0) aio_globals_ = memory_.region(objects_.aio.globals);
  if (config.timeline != nullptr)
    cpus_->trace_to(config.timeline, cpu_tracks(*config.timeline, name_, *this), config.timeline->track(name_, ""));
  skb_data_ = per_cpu_slab(memory_.cache("size-" + std::to_string(objects.skb_data_bytes), objects.skb_data_bytes));
  skb_heads_ = per_cpu_slab(memory_.cache("skbuff_head_cache", objects.skb_head_bytes));
}

kernel::PerCpuSlab SmpHost::per_cpu_slab(models::SlabCache& shared) {
  kernel::PerCpuSlab slab(shared, config_.cpus, objects_.slab_cpucache);
  if (objects_.slab_descriptor_bytes > 0)
    slab.on_moved([this, &shared](int cpu, bool refill, const std::vector<models::Addr>& objects) {
      charge_slab_batch(cpu, refill, shared, objects);
    });
  return slab;
}

kernel::PerCpuSlab& SmpHost::kmalloc_cache(std::uint32_t bytes) {
  if (bytes == objects_.skb_data_bytes) return skb_data_;
  const auto found = kmalloc_.find(bytes);
  if (found != kmalloc_.end()) return found->second;
  return kmalloc_.emplace(bytes, per_cpu_slab(memory_.cache("size-" + std::to_string(bytes), bytes))).first->second;
}

void SmpHost::charge_slab_batch(int cpu, bool refill, const models::SlabCache& cache,
                                const std::vector<models::Addr>& objects) {
  // Under the cache's spin lock, in the line with its slab lists, each object's slab descriptor
  // is written: lines the other CPU wrote when the objects went the other way.
  const models::PathId path = refill ? paths_.slab_alloc_batch : paths_.slab_free_block;
  std::uint64_t lock_bytes = memory_.line_bytes();
  for (const models::Addr object : objects) {
    charge(cpu, path, 1, {{cache.control(), lock_bytes, true}, {cache.descriptor_of(object), objects_.slab_descriptor_bytes, true}});
    lock_bytes = 0;  // taken once for the batch
  }
}

std::unique_ptr<world::IoTarget> SmpHost::bind_session(world::IscsiInitiatorLink& link, std::size_t index,
                                                       std::uint64_t user_buffer_bytes) {
  return std::make_unique<SmpIscsiPath>(*this, link, index, user_buffer_bytes);
}

nlohmann::json SmpHost::stats() const {
  return {{"interrupts", interrupts_},
          {"nic_clean_passes", clean_passes_},
          {"ipis", cpus_->ipis()},
          {"context_switches", cpus_->context_switches()},
          {"preemptions", cpus_->preemptions()}};
}

models::Addr SmpHost::alloc_header_data(int cpu) {
  kernel::PerCpuSlab& cache = kmalloc_cache(objects_.header_data_object_bytes());
  const models::Addr data = cache.alloc(cpu);
  sent_data_.add(data, cache, objects_.header_data_shinfo(data));
  return data;
}

SmpHost::Skb SmpHost::alloc_skb(int cpu) { return Skb{skb_heads_.alloc(cpu), skb_data_.alloc(cpu)}; }

void SmpHost::free_skb(int cpu, const Skb& skb) {
  // skb_release_data of a received sk_buff, not cloned, reads its shared info before the kfree.
  charge(cpu, paths_.kfree_skb, 1,
         {{skb.head, objects_.skb_head_bytes, true}, routes_.release(skb.dst),
          objects_.shinfo(objects_.rx_shinfo(skb.data), KernelObjects::ShinfoUse::Read)});
  skb_heads_.free(cpu, skb.head);
  if (skb.data != 0) skb_data_.free(cpu, skb.data);
}

void SmpHost::free_tx_clone(int cpu, const kernel::TxClone& clone) {
  // dev_kfree_skb_irq leaves it to NET_TX's __kfree_skb on this CPU, which drops its route's
  // reference and whose sock_wfree returns its truesize to the socket's wmem_alloc and drops its
  // reference; its skb_release_data counts its reference on the data it shares off: the last
  // frees the data. An sk_buff sent uncloned (an ACK) reads its own data's shared info and frees it.
  charge(cpu, paths_.kfree_skb, 1,
         {{clone.head, objects_.skb_head_bytes, true}, routes_.release(clone.dst),
          clone.owner_write(objects_.sock_wfree_bytes),
          objects_.shinfo(sent_data_.shinfo(clone.data),
                          clone.cloned ? KernelObjects::ShinfoUse::Count : KernelObjects::ShinfoUse::Read)});
  skb_heads_.free(cpu, clone.head);
  sent_data_.release(cpu, clone.data);
}

std::size_t SmpHost::attach(world::NicPort* nic) {
  const std::size_t index = ports_.size();
  Port p;
  p.nic = nic;
  p.tx = kernel::TxQueue(nic);
  // The RX ring's record is walked by the one CPU its NIC interrupts (not modelled); both CPUs send.
  p.rx_ring = kernel::ReceiveRing::allocate(memory_, config_.rx_ring, objects_.descriptor_bytes,
                                            objects_.e1000_buffer_bytes, objects_.rx_frame_offset_bytes);
  p.tx_ring = kernel::DescriptorRing::allocate(memory_, config_.tx_ring, objects_.descriptor_bytes,
                                               objects_.tx_ring_indices_bytes, objects_.e1000_buffer_bytes);
  if (objects_.netdev_queue_bytes > 0) p.netdev_queue = memory_.region(objects_.netdev_queue_bytes);
  if (objects_.netdev_hot_bytes > 0) p.netdev_hot = memory_.region(objects_.netdev_hot_bytes);
  for (std::uint32_t i = 0; i < config_.rx_ring; ++i) p.rx_ring.fill(alloc_skb(kernel::kNoCpu));
  ports_.push_back(std::move(p));
  irq_names_.push_back("irq nic" + std::to_string(index));
  nic->set_interrupt_handler([this, index] { interrupt(index); });
  nic->set_dma_writes(
      {[this, index](std::uint32_t bytes) { ports_[index].rx_ring.land(*cost_, calendar_.now(), bytes); },
       [this, index] { ports_[index].tx_ring.write_back(*cost_, calendar_.now()); }});
  return index;
}

void SmpHost::bind(std::size_t port_index, world::TcpEndpoint* ep) {
  flows_.add(port_index, ep);
  Conn c;
  c.endpoint = ep;
  c.sock = memory_.cache("tcp_sock", objects_.sock_bytes).alloc();
  conns_[ep] = c;
}

int SmpHost::route(std::size_t port_index) {
  switch (config_.routing) {
    case scenario::IrqRouting::RoundRobin:
      return static_cast<int>(round_robin_++ % static_cast<std::uint64_t>(config_.cpus));
    case scenario::IrqRouting::PerNic:
      return static_cast<int>(port_index % static_cast<std::size_t>(config_.cpus));
    case scenario::IrqRouting::AllToCpu0:
      break;
  }
  return 0;
}

models::Touch SmpHost::sock(const world::TcpEndpoint& ep, bool write) const {
  return objects_.sock_hot(conns_.at(&ep).sock, write);
}

void SmpHost::net_rx(int cpu, bool continued) {
  net_rx_raised_[cpu] = false;
  if (!continued) cpus_->run(cpu, paths_.do_softirq, 1, 0);
  std::deque<Received>& frames = backlog_[cpu];
  while (!frames.empty()) {
    Received r = std::move(frames.front());
    frames.pop_front();
    if (!receive(cpu, r) || frames.empty()) continue;
    // A piece's work is charged at its start: the frames after this one must see the socket as
    // the thread it went to leaves it, as 2.4's tcp_v4_rcv checks sk->lock.users under the
    // socket's spin lock for each, so the loop goes on in the next piece.
    net_rx_raised_[cpu] = true;
    cpus_->raise_softirq(cpu, Work{[this](int on) { net_rx(on, true); }, {}, "softirq NET_RX"});
    return;
  }
}

bool SmpHost::receive(int cpu, Received& r) {
  const bool bad = stack::net::parse_frame_into(r.frame.data(), r.frame.size(), received_) != nullptr;
  // net_rx_action takes every frame off the backlog, hands it to its protocol's handler and drops
  // the device's reference (dev_put).
  cpus_->run(cpu, paths_.net_rx_action, 1, 0,
             {{r.skb.head, objects_.skb_head_bytes, true}, device_refcount(ports_[r.port])});
  // ip_rcv (its ip_route_input) and ip_local_deliver up to tcp_v4_rcv: on the CPU that took the
  // frame.
  if (!bad) {
    const kernel::RouteCache::Route& route = routes_.to(r.port, received_.addr.src_ip.value);
    r.skb.dst = route.input;
    const auto [bucket, input_route] = routes_.input(route);
    cpus_->run(cpu, paths_.ip_rcv, 1, 0,
               {objects_.rx_headers(r.skb), {r.skb.head, objects_.skb_head_bytes, true}, bucket,
                input_route});
  }
  const world::TcpEndpoint* found = bad ? nullptr : flows_.inbound(r.port, received_.segment);
  Conn* conn = found != nullptr ? &conns_.at(found) : nullptr;
  if (conn != nullptr) {
    // tcp_v4_rcv finds the socket and takes its spin lock on this CPU, whichever thread
    // processes the segment.
    cpus_->run(cpu, paths_.tcp_v4_rcv, 1, 0, {sock_head(*conn)});
    if (prequeue(cpu, *conn, r)) return true;
  }
  ports_[r.port].nic->recycle(std::move(r.frame));  // the parsed segment holds all it needs
  if (conn == nullptr) {
    ++(bad ? errors_.bad_frames : errors_.no_endpoint);
    free_skb(cpu, r.skb);
    return false;
  }
  const bool backlogged = conn->owner >= 0 && conn->owner != cpu;
  process(cpu, *conn, r.skb);
  return backlogged;
}

bool SmpHost::prequeue(int cpu, Conn& c, Received& r) {
  if (config_.tcp_low_latency || !c.reader_waits || c.owner >= 0) return false;
  // tcp_v4_rcv under the socket's spin lock: tcp_prequeue links the skb to tp->ucopy.prequeue
  // and adds its truesize to ucopy.memory, in the socket's first line.
  cpus_->run(cpu, paths_.tcp_prequeue, 1, 0,
             {sock_head(c), objects_.skb_link(c.prequeue.empty() ? 0 : c.prequeue.back().skb.head)});
  c.prequeue.push_back(std::move(r));
  c.prequeue_bytes += objects_.rx_skb_data_aligned_bytes + objects_.skb_head_bytes;  // its truesize
  if (c.prequeue_bytes > config_.socket_buffer_bytes)
    process_prequeue(cpu, c);  // more than sk->rcvbuf waits: the bottom half does it all (TCPPrequeueDropped)
  else if (c.prequeue.size() == 1)
    cpus_->wake(c.reader, cpu);  // wake_up_interruptible(sk->sleep)
  return true;
}

void SmpHost::reader_runs(int cpu, world::TcpEndpoint& ep, Thread* reader) {
  Conn& c = conns_.at(&ep);
  if (c.reader != reader) {
    for (auto& [other, old] : conns_) {
      if (&old == &c || old.reader != reader) continue;
      process_prequeue(cpu, old);
      old.reader = nullptr;
      old.reader_waits = false;
    }
    c.reader = reader;
  }
  c.reader_waits = false;
  process_prequeue(cpu, c);
}

void SmpHost::reader_run_ends(const world::TcpEndpoint& ep) {
  Conn& c = conns_.at(&ep);
  c.reader_waits = c.reader != nullptr && c.reader->asleep();
}

void SmpHost::process_prequeue(int cpu, Conn& c) {
  std::deque<Received> queued;
  queued.swap(c.prequeue);
  c.prequeue_bytes = 0;
  for (std::size_t i = 0; i < queued.size(); ++i) {
    Received& r = queued[i];
    // __skb_dequeue writes the next sk_buff's prev.
    if (i + 1 < queued.size()) cpus_->run(cpu, paths_.tcp_rcv_data, 0, 0, {objects_.skb_link(queued[i + 1].skb.head)});
    stack::net::parse_frame_into(r.frame.data(), r.frame.size(), received_);  // parsed once already
    ports_[r.port].nic->recycle(std::move(r.frame));
    process(cpu, c, r.skb);
  }
}

void SmpHost::process(int cpu, Conn& conn, const Skb& skb) {
  world::TcpEndpoint& ep = *conn.endpoint;
  const stack::tcp::Segment& seg = received_.segment;
  const bool data = !seg.payload.empty();
  const models::PathId path = data ? paths_.tcp_rcv_data : paths_.tcp_rcv_ack;
  // A thread on another CPU holds the socket: the segment waits on the backlog and that thread
  // processes it (and sends what it triggers) when it releases the socket.
  const int on = conn.owner >= 0 && conn.owner != cpu ? conn.owner : cpu;
  // The bottom half takes the socket's spin lock and links the segment to its backlog: it writes
  // the socket's first line while the owner may be reading it.
  if (on != cpu) cpus_->run(cpu, paths_.tcp_backlog_add, 1, 0, {sock_head(conn)});
  backlog_owner_ = on == cpu ? -1 : on;
  charge(on, path, 1,
         {hot_sock(conn), objects_.rx_headers(skb), {skb.head, objects_.skb_head_bytes, true}});
  // What this segment added to the receive queue (in order) waits in its buffer for recvmsg;
  // the application cannot read in between: its thread runs after this softirq.
  const std::uint64_t before = ep.connection().readable();
  const std::uint64_t space_before = ep.connection().send_space();
  ep.deliver(seg);
  const std::uint64_t after = ep.connection().readable();
  const std::uint64_t queued = after > before ? after - before : 0;
  // The data this segment acknowledged leaves the retransmit queue: its skbs are freed.
  const std::uint64_t freed = ep.connection().send_space() > space_before ? ep.connection().send_space() - space_before : 0;
  // tcp_clean_rtx_queue reads each sk_buff the ACK covers, and frees it.
  const std::vector<kernel::WriteQueue::Buffers> acked = conn.write_queue.acknowledge(freed);
  for (const kernel::WriteQueue::Buffers& b : acked) {
    const models::Addr data = sent_data_of(b);
    charge(on, path, 0, {{b.head, objects_.skb_head_bytes, false}});
    // A sent sk_buff is cloned: skb_release_data counts its reference off the shared info.
    charge(on, paths_.kfree_skb, 1,
           {{b.head, objects_.skb_head_bytes, true}, objects_.shinfo(sent_data_.shinfo(data), KernelObjects::ShinfoUse::Count)});
    skb_heads_.free(on, b.head);
    sent_data_.release(on, data);
  }
  // __skb_unlink of the last of them wrote the new front's prev.
  if (!acked.empty()) charge(on, path, 0, {objects_.skb_link(conn.write_queue.front())});
  charge_timers(on, conn);
  backlog_owner_ = -1;
  if (queued > 0) {
    // Linked after the receive queue's tail; freed when recvmsg has copied it out.
    if (!conn.rx_skbs.empty()) charge(on, path, 0, {objects_.skb_link(conn.rx_skbs.back().skb.head)});
    conn.rx_skbs.push_back(Conn::Pending{skb, queued, 0});
  } else {
    free_skb(cpu, skb);
  }
}

void SmpHost::charge(int cpu, models::PathId path, double calls, models::Touches touches) {
  if (cpu == backlog_owner_)
    cpus_->run_for(cpu, path, calls, touches);
  else
    cpus_->run(cpu, path, calls, 0, touches);
}

void SmpHost::charge_transmit(int cpu, std::size_t port_index, const world::Frame& frame) {
  Port& port = ports_[port_index];
  stack::net::FrameHeaders sent;
  world::TcpEndpoint* ep =
      stack::net::read_headers(frame.data(), frame.size(), sent) ? flows_.outbound(port_index, sent.frame.segment) : nullptr;
  models::Addr owner_sock = 0;
  models::Addr sent_data = 0;  // the data the clone shares (an ACK's: its own), 0: none
  bool cloned = true;
  // ip_queue_xmit sends on the socket's cached route; the clone holds a reference on it.
  const kernel::RouteCache::Route route =
      ep != nullptr ? routes_.to(port_index, sent.frame.addr.dst_ip.value) : kernel::RouteCache::Route{};
  const auto [out_route, header_cache] = routes_.transmit(route);
  if (ep != nullptr) {
    Conn& c = conns_.at(ep);
    owner_sock = c.sock;
    const std::uint64_t payload = sent.payload_bytes;
    // Bytes past the highest sent so far are new; the others are sent again (a retransmission).
    const kernel::SendSequence::Sent s = c.sent.send(sent.frame.segment.seq, payload);
    // Inside sendmsg, a segment's new data is copied into its sk_buff just before it goes.
    if (c.copy_cpu == cpu && c.sent.sent() > c.tx_written)
      copy_in(cpu, c, ep->connection().mss(), c.sent.sent() - c.tx_written);
    // tcp_transmit_skb fills in the head of the sk_buff it sends (and clones it).
    const kernel::WriteQueue::Buffers skb = c.write_queue.transmit(payload, s.fresh);
    // skb_clone counts the clone's reference on the data in its shared info.
    sent_data = sent_data_of(skb);
    // The clone's skb_push puts the headers just before the payload, in the shared data's
    // headroom; a segment with no payload (tcp_send_ack's) is an sk_buff of its own, sent
    // uncloned, with MAX_TCP_HEADER of data.
    models::Addr headers_end = objects_.sent_headers_in_data ? skb.payload : 0;
    if (payload == 0 && objects_.sent_headers_in_data) {
      sent_data = alloc_header_data(cpu);
      headers_end = objects_.header_data_end(sent_data);
      cloned = false;
    }
    const models::Touch headers = kernel::tx_headers(frame.size(), payload, headers_end);
    charge(cpu, paths_.tcp_transmit, 1,
           {hot_sock(c), models::modelled(skb.head, objects_.skb_head_bytes, true), out_route, header_cache,
            objects_.shinfo(cloned ? sent_data_.shinfo(sent_data) : 0, KernelObjects::ShinfoUse::Count), headers});
    if (cloned) sent_data_.clone(sent_data);
    charge_timers(cpu, c);
    // The NIC reads the headers and the payload from the sk_buffs: lines dirty in a cache are
    // written back.
    if (headers.bytes > 0) caches_.dma_read(headers.addr, headers.bytes);
    c.write_queue.spans(s.offset, payload,
                        [this](const kernel::WriteQueue::Span& span) { caches_.dma_read(span.addr, span.bytes); });
  } else {
    charge(cpu, paths_.tcp_transmit, 1);
  }
  // tcp_transmit_skb sends a clone: a fresh sk_buff over the same data, freed when the NIC is done.
  const models::Addr head = skb_heads_.alloc(cpu);
  port.tx_clones.push_back({head, owner_sock, route.output, sent_data, cloned});
  charge(cpu, paths_.alloc_skb, 1,
         {{head, objects_.skb_head_bytes, true},
          objects_.shinfo(cloned ? 0 : sent_data_.shinfo(sent_data), KernelObjects::ShinfoUse::Set)});
  // dev_queue_xmit queues the clone on the device's qdisc and runs it under the queue's and the
  // transmit lock, which hand it to the driver.
  charge(cpu, paths_.dev_queue_xmit, 1, {queue_state(port, true)});
  // The driver loads netdev->priv and stores the frame's time in netdev->trans_start.
  const kernel::DescriptorRing::Slots slot = port.tx_ring.post();
  charge(cpu, paths_.e1000_xmit_frame, 1,
         {slot.descriptors, slot.records, port.tx_ring.indices(), {head, objects_.skb_head_bytes, false},
          netdev_hot(port, true)});
}

void SmpHost::charge_timers(int cpu, Conn& c) {
  c.timer_calls.charge_new(c.endpoint->connection(), c.sock, objects_, timers_, calendar_.now(),
                           [&](const kernel::TimerWheel::Call& call) { charge(cpu, paths_.mod_timer, 1, call.list()); });
}

void SmpHost::send(std::size_t port_index, world::Frame frame) {
  const int cpu = backlog_owner_ >= 0 ? backlog_owner_ : cpus_->executing();
  const kernel::TxQueue::Ticket ticket = ports_[port_index].tx.enqueue(std::move(frame));
  const auto port = static_cast<std::uint32_t>(port_index);  // with the ticket, fits a std::function inline
  if (cpu >= 0) {
    charge_transmit(cpu, port_index, ports_[port_index].tx.frame(ticket));
    // The frame leaves once the work that built it is done: a sendmsg's or a softirq's first
    // segments do not wait for the last. The backlog's owner sends when its own work ends.
    cpus_->defer_at_done(cpu, [this, port, ticket] { ports_[port].tx.release(ticket); });
    return;
  }
  // A TCP timer (delayed ACK, retransmission) sends from the timer softirq.
  cpus_->raise_softirq(route(port_index), Work{[this, port, ticket](int c) {
                                                 cpus_->run(c, paths_.tcp_timer, 1, 0);
                                                 charge_transmit(c, port, ports_[port].tx.frame(ticket));
                                               },
                                               [this, port, ticket] { ports_[port].tx.release(ticket); },
                                               "softirq TIMER"});
}

std::uint64_t SmpHost::qdisc_peak() const {
  std::uint64_t peak = 0;
  for (const Port& p : ports_) peak = std::max(peak, p.tx.qdisc_peak());
  return peak;
}

}  // namespace iscsim::host::smp
