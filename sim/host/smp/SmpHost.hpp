#pragma once
// The initiator as Linux 2.4 SMP runs it (paper Fig 1a): NIC interrupts go to a CPU chosen by
// the routing policy, the driver and the NET_RX softirq run there, every frame sent costs the
// TCP, IP and driver transmit paths on the CPU that sends it, and every line the software and
// the NICs touch goes through the coherent caches. Threads above it (sockets, iSCSI, dynamo)
// are bound by SmpIscsi.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/bus/MemoryBus.hpp"
#include "models/cache/CoherentCaches.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"
#include "sim/host/Host.hpp"
#include "sim/host/kernel/TcpTimerCalls.hpp"
#include "sim/host/kernel/WriteQueue.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/DescriptorRing.hpp"
#include "sim/host/kernel/ReceiveRing.hpp"
#include "sim/host/kernel/RouteCache.hpp"
#include "sim/host/kernel/SentData.hpp"
#include "sim/host/kernel/Skb.hpp"
#include "sim/host/kernel/FlowTable.hpp"
#include "sim/host/kernel/TxClone.hpp"
#include "sim/host/kernel/TxQueue.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/OprofileDaemon.hpp"
#include "sim/host/kernel/SendSequence.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/stack/net/FrameCodec.hpp"
#include "sim/world/Calendar.hpp"

namespace iscsim::host::smp {

using kernel::CpuSet;
using kernel::KernelObjects;
using kernel::KernelPaths;
using kernel::Thread;
using kernel::Work;

struct SmpConfig {
  int cpus = 2;
  double hz = 0;
  scenario::IrqRouting routing = scenario::IrqRouting::AllToCpu0;
  std::uint32_t socket_buffer_bytes = 0;  // the initiator's SO_SNDBUF and SO_RCVBUF
  std::uint32_t rx_ring = 0;
  std::uint32_t tx_ring = 0;
  // net.ipv4.tcp_low_latency: false (2.4's default) gives a reader blocked in tcp_recvmsg its
  // segments through the prequeue, to process in its own context.
  bool tcp_low_latency = false;
  bool idle_poll = false;  // 2.4's idle=poll: idle CPUs spin on need_resched instead of halting
  std::uint64_t code_layout = 0;  // where the paths' code sits (models::AddressSpace's text layout)
  models::Picos profiler_period = 0;  // a sampling profiler's NMI on each CPU (host.profiler); 0: none
  kernel::OprofileDaemonParams profiler_daemon;  // ... and its daemon (sample_bytes 0: none)
  world::Timeline* timeline = nullptr;  // the timeline trace; null when off
};

class SmpHost : public Host, public CostedHost {
 public:
  SmpHost(std::string name, world::Calendar& calendar, models::MemoryBus& fsb, const models::CpuParams& cpu,
          const models::CacheGeometry& cache, models::CodePathCatalog catalog, const KernelObjects& objects,
          const SmpConfig& config);

  std::size_t attach(world::NicPort* port) override;
  void bind(std::size_t port_index, world::TcpEndpoint* endpoint) override;
  void send(std::size_t port_index, world::Frame frame) override;
  const std::string& name() const override { return name_; }
  const ReceiveErrors& receive_errors() const override { return errors_; }
  std::uint64_t qdisc_peak() const override;
  std::unique_ptr<world::IoTarget> bind_session(world::IscsiInitiatorLink& link, std::size_t index,
                                                std::uint64_t user_buffer_bytes) override;
  CostedHost* costed() override { return this; }
  const CostedHost* costed() const override { return this; }

  // CostedHost: every CPU runs anything.
  void set_counting(bool on) override { cost_->set_counting(on); }
  int cpu_count() const override { return config_.cpus; }
  CpuRole role(int) const override { return CpuRole::Cpu; }
  CpuEvents events(int cpu) const override { return cpus_->events(cpu); }
  std::vector<ThreadUsage> threads() const override { return cpus_->thread_usage(); }
  double idle_instructions(int, double idle_cycles) const override {
    return idle_cycles * cost_->params().idle_instr_per_cycle;
  }
  nlohmann::json stats() const override;

  // recvmsg's copy: `bytes` of `ep`'s received data into user memory at `user`, on `cpu`;
  // the socket buffers it empties are freed.
  // tcp_recvmsg: `calls` socket reads of `bytes`, copied out skb by skb to `user`; the socket
  // bookkeeping runs between the copies, as 2.4's loop over the receive queue does.
  void recvmsg(int cpu, const world::TcpEndpoint& ep, double calls, std::uint64_t bytes, models::Addr user);
  // tcp_sendmsg's loop on `cpu` over what `put` writes into `ep`'s socket (it returns the bytes),
  // from user memory at `user`: as 2.4 does, each segment's data goes into an sk_buff (alloc_skb
  // per MSS, the copy, the loop's per-byte work) just before TCP sends it, and the data it cannot
  // send yet after. Returns what `put` wrote.
  std::size_t sendmsg(int cpu, const world::TcpEndpoint& ep, models::Addr user, const std::function<std::size_t()>& put);
  // A thread on `cpu` holds `ep`'s socket lock (inside sendmsg or recvmsg) until released:
  // segments arriving meanwhile wait on the backlog and are processed by that thread (2.4
  // tcp_v4_rcv: sk->lock.users -> sk_add_backlog; release_sock runs them).
  void own_socket(const world::TcpEndpoint& ep, int cpu) { conns_.at(&ep).owner = cpu; }
  void release_socket(const world::TcpEndpoint& ep) { conns_.at(&ep).owner = -1; }
  // `reader`, the thread that reads `ep` (2.4 tcp_recvmsg), begins a run on `cpu` with the socket
  // held: it processes the prequeue there (tcp_prequeue_process: TCP's receive work, the ACKs it
  // sends and the frees run on `cpu`). A connection it read before (the session reconnected)
  // loses it, its prequeue processed first, as tcp_recvmsg does before it leaves.
  void reader_runs(int cpu, world::TcpEndpoint& ep, Thread* reader);
  // The reader's run ends: if it sleeps, it sleeps in tcp_recvmsg's wait with the socket released
  // (tp->ucopy.task set), and the bottom half only queues each segment on the prequeue and wakes
  // it at the first (2.4 tcp_prequeue).
  void reader_run_ends(const world::TcpEndpoint& ep);
  // The connection's struct sock: what TCP and the socket calls read and write.
  models::Touch sock(const world::TcpEndpoint& ep, bool write) const;

  CpuSet& cpus() { return *cpus_; }
  models::CpuCostModel& cost() { return *cost_; }
  const models::CpuCostModel& cost() const override { return *cost_; }
  models::AddressSpace& memory() { return memory_; }
  const KernelPaths& paths() const { return paths_; }
  const KernelObjects& objects() const { return objects_; }
  // The dynamo process's glibc AIO globals, shared by its workers (0: not modelled).
  models::Addr aio_globals() const { return aio_globals_; }
  kernel::TimerWheel& timers() { return timers_; }
  std::uint64_t interrupts() const { return interrupts_; }
  std::uint32_t socket_buffer_bytes() const { return config_.socket_buffer_bytes; }

 private:
  using Skb = kernel::Skb;
  struct Port {
    world::NicPort* nic = nullptr;
    kernel::TxQueue tx;
    std::deque<kernel::TxClone> tx_clones;  // sk_buffs of frames on the TX ring, in ring order
    kernel::ReceiveRing rx_ring;
    kernel::DescriptorRing tx_ring;
    models::Addr netdev_queue = 0;  // the transmit queue's state (dev_queue_xmit, qdisc_restart); 0: none
    models::Addr netdev_hot = 0;  // struct net_device's trans_start, last_rx and priv line; 0: none
  };
  struct Received {
    world::Frame frame;
    Skb skb;
    std::size_t port = 0;
  };
  struct Conn {
    models::Addr sock = 0;
    kernel::PerCpuSlab* tx_data = nullptr;  // the kmalloc cache its sent sk_buffs' data come from
    std::uint64_t tx_written = 0;  // copied into the write queue's sk_buffs
    kernel::SendSequence sent;  // what of the stream has left at least once
    // A sendmsg going on (copy_cpu >= 0): its data starts at copy_user, and at copy_start in the
    // stream the write queue holds.
    int copy_cpu = -1;
    models::Addr copy_user = 0;
    std::uint64_t copy_start = 0;
    int owner = -1;  // CPU of the thread holding the socket lock, -1 if none
    world::TcpEndpoint* endpoint = nullptr;
    Thread* reader = nullptr;
    bool reader_waits = false;  // 2.4 tp->ucopy.task: the reader sleeps in tcp_recvmsg
    std::deque<Received> prequeue;
    std::uint64_t prequeue_bytes = 0;  // tp->ucopy.memory: the queued skbs' truesize
    struct Pending {
      Skb skb;
      std::uint64_t bytes = 0;
      std::uint64_t copied = 0;
    };
    std::deque<Pending> rx_skbs;  // received data waiting for recvmsg, in order
    kernel::WriteQueue write_queue;
    kernel::TcpTimerCalls timer_calls;
  };

  // A NIC's transmit queue state, as dev_queue_xmit (write) or the TX clean (read) touches it.
  models::Touch queue_state(const Port& port, bool write) const;
  // The line with struct net_device's refcnt, beside the queue's locks: dev_hold and dev_put's
  // locked writes.
  models::Touch device_refcount(const Port& port) const;
  // struct net_device's line of trans_start, last_rx, priv and dev_addr, as a driver path loads
  // it (`write`: and stores into it; `stores_only`: stores alone).
  models::Touch netdev_hot(const Port& port, bool write, bool stores_only = false) const {
    return {port.netdev_hot, port.netdev_hot != 0 ? objects_.netdev_hot_bytes : 0, write, false, stores_only};
  }
  // A connection's struct sock, its hot fields written.
  models::Touch hot_sock(const Conn& c) const { return objects_.sock_hot(c.sock, true); }
  // Its first line, which the bottom half's tcp_v4_rcv, prequeue and backlog write: the lookup's
  // match, the refcount, the spin lock and lock.users.
  models::Touch sock_head(const Conn& c) const { return {c.sock, memory_.line_bytes(), true}; }
  int route(std::size_t port_index);
  // Copies the next `bytes` of the sendmsg going on into `c`'s write queue, on `cpu`.
  void copy_in(int cpu, Conn& c, std::uint32_t mss, std::uint64_t bytes);
  void interrupt(std::size_t port_index);
  void hard_irq(int cpu, std::size_t port_index);
  // One pass of e1000_intr's loop (its `pass`th): RX cleaned with its refills, then TX; if it found
  // work, another pass follows in the same interrupt once the NIC has more to clean.
  void e1000_intr_pass(int cpu, std::size_t port_index, std::uint32_t pass);
  // NET_RX's net_rx_action over this CPU's backlog. Its loop ends its piece after a frame handed
  // to another CPU's thread (`continued`: no do_softirq again) and goes on in the next piece.
  void net_rx(int cpu, bool continued = false);
  // One frame up the stack on `cpu`; true if it went to a thread's prequeue or to the backlog of
  // a thread holding the socket on another CPU.
  bool receive(int cpu, Received& r);
  // The bottom half's tcp_prequeue of `r` for `c`'s waiting reader; false if the reader is not
  // waiting. Past the receive buffer's worth, it processes the whole prequeue itself.
  bool prequeue(int cpu, Conn& c, Received& r);
  // Processes what waits on `c`'s prequeue, on `cpu`.
  void process_prequeue(int cpu, Conn& c);
  // TCP's processing of the segment parsed into received_, in `skb`, for `c` on `cpu`.
  void process(int cpu, Conn& c, const Skb& skb);
  void charge_transmit(int cpu, std::size_t port_index, const world::Frame& frame);
  // The mod_timer calls `c`'s TCP has made since last charged (its timers restarted), on `cpu`.
  void charge_timers(int cpu, Conn& c);
  // Charges a path on `cpu`: within its current work, or for a socket's backlog on its owner.
  void charge(int cpu, models::PathId path, double calls, models::Touches touches = {});
  void transmit(std::size_t port_index, world::Frame frame);
  void release(std::size_t port_index, const std::shared_ptr<world::Frame>& frame);

  std::string name_;
  world::Calendar& calendar_;
  SmpConfig config_;
  models::CodePathCatalog catalog_;
  KernelObjects objects_;
  KernelPaths paths_;
  models::AddressSpace memory_;
  models::Addr aio_globals_ = 0;
  models::CoherentCaches caches_;
  kernel::TimerWheel timers_;  // the kernel's timer lists, global to the CPUs
  kernel::RouteCache routes_;
  std::unique_ptr<models::CpuCostModel> cost_;
  std::unique_ptr<CpuSet> cpus_;
  std::unique_ptr<kernel::OprofileDaemon> profiler_daemon_;
  Skb alloc_skb(int cpu);
  // __kfree_skb on `cpu`: writes the sk_buff (its users count, its list links), drops its route's
  // reference and frees both.
  void free_skb(int cpu, const Skb& skb);
  // A batch of `cache`'s objects moved between `cpu`'s array and the shared cache.
  void charge_slab_batch(int cpu, bool refill, const models::SlabCache& cache, const std::vector<models::Addr>& objects);
  // The same for a transmitted clone, whose destructor also writes its socket.
  void free_tx_clone(int cpu, const kernel::TxClone& clone);
  // The data of an sk_buff TCP sends with no payload (alloc_skb(MAX_TCP_HEADER)), one reference.
  models::Addr alloc_header_data(int cpu);

  // Per-CPU arrays in front of `shared`, each batch between them charged (charge_slab_batch).
  kernel::PerCpuSlab per_cpu_slab(models::SlabCache& shared);
  // The kmalloc cache of `bytes` objects, behind per-CPU arrays: skb_data_ for the received
  // sk_buffs' size, the others made when first asked for.
  kernel::PerCpuSlab& kmalloc_cache(std::uint32_t bytes);
  // The data object of a sent sk_buff whose payload tcp_sendmsg put past MAX_TCP_HEADER (0: none).
  models::Addr sent_data_of(const kernel::WriteQueue::Buffers& b) const {
    return b.payload != 0 ? b.payload - objects_.tcp_tx_header_reserve_bytes : 0;
  }

  kernel::PerCpuSlab skb_data_;
  kernel::PerCpuSlab skb_heads_;
  std::map<std::uint32_t, kernel::PerCpuSlab> kmalloc_;  // by object size, beside skb_data_'s
  kernel::SentData sent_data_;  // the data of sent sk_buffs, shared with their clones
  std::vector<models::Touch> copy_touches_;  // a copy's source and the sk_buffs it fills
  std::vector<Port> ports_;
  std::deque<std::string> irq_names_;  // per port, what the timeline calls its interrupt
  kernel::FlowTable flows_;
  std::unordered_map<const world::TcpEndpoint*, Conn> conns_;
  std::vector<std::deque<Received>> backlog_;  // per CPU: frames for its NET_RX softirq
  std::vector<bool> net_rx_raised_;
  ReceiveErrors errors_;
  std::uint64_t interrupts_ = 0;
  std::uint64_t clean_passes_ = 0;  // passes of the drivers' clean loops (e1000_intr)
  std::vector<kernel::ReceiveRing::Taken> taken_;  // a pass's frames off the RX ring (reused)
  std::uint64_t round_robin_ = 0;
  int backlog_owner_ = -1;  // while a segment is processed from a socket's backlog: its owner
  stack::net::ParsedFrame received_;  // each received frame parsed into the same buffers
};

}  // namespace iscsim::host::smp
