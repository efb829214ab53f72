#pragma once
// The initiator as the paper's AMP prototype runs it (Fig 1b): of `cores` CPUs, the last `ppes`
// are packet processing engines that poll their NICs (interrupts masked) and a doorbell queue,
// and run the driver, TCP/IP and the receive copy; the others are hosts running Linux 2.4 (one
// run queue, IPIs, io_request_lock) with the SCSI and iSCSI layers above a Kernel Adaptation
// Layer (KAL) that posts work to one-way queues in shared memory and reaps events from them.
// The same code-path catalog as SMP; what differs is who runs what, polling instead of
// interrupts, and the lines that move between CPUs. Sessions are bound by AmpSession.
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/bus/MemoryBus.hpp"
#include "models/cache/CoherentCaches.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"
#include "sim/host/Host.hpp"
#include "sim/host/amp/AmpPaths.hpp"
#include "sim/host/amp/Ppe.hpp"
#include "sim/host/amp/SharedRing.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/DescriptorRing.hpp"
#include "sim/host/kernel/RouteCache.hpp"
#include "sim/host/kernel/Skb.hpp"
#include "sim/host/kernel/FlowTable.hpp"
#include "sim/host/kernel/TxClone.hpp"
#include "sim/host/kernel/TxQueue.hpp"
#include "sim/host/kernel/KernelModel.hpp"
#include "sim/host/kernel/OprofileDaemon.hpp"
#include "sim/scenario/Scenario.hpp"
#include "sim/stack/net/FrameCodec.hpp"
#include "sim/world/Calendar.hpp"

namespace iscsim::host::amp {

class AmpSession;

struct AmpConfig {
  int cores = 2;
  int ppes = 1;
  double hz = 0;
  std::uint32_t rx_ring = 0;
  std::uint32_t tx_ring = 0;
  scenario::AmpSpec strategy;
  RingGeometry work_queue, event_queue, doorbell;
  bool ppe_timer_tick = true;  // the PPEs take their local timer's tick too
  bool idle_poll = false;       // 2.4's idle=poll on the host CPUs: they spin on need_resched
  std::uint64_t code_layout = 0;  // where the paths' code sits (models::AddressSpace's text layout)
  Picos profiler_period = 0;    // a sampling profiler's NMI on every core (host.profiler); 0: none
  kernel::OprofileDaemonParams profiler_daemon;  // ... and its daemon (sample_bytes 0: none)
  Picos window_start = 0;
  Picos window_end = 0;
  bool status_in_data_in = true;  // targets end a read with its last Data-In: no separate response
  world::Timeline* timeline = nullptr;  // the timeline trace; null when off
};

// A host's request to a PPE, in a connection's work queue.
struct WorkEntry {
  enum class Kind { Send, Recv } kind = Kind::Send;
  std::uint64_t bytes = 0;
  models::Addr buffer = 0;  // send: where the NIC reads (user pages, or the copy); recv: where data lands
};
// A PPE's completion, in a connection's event queue: `bytes` landed in host memory.
struct EventEntry {
  std::uint64_t bytes = 0;
  bool fallback = false;  // no pre-posted buffer matched: it landed in a PPE buffer
};

class AmpHost : public Host, public CostedHost {
 public:
  AmpHost(std::string name, world::Calendar& calendar, models::MemoryBus& fsb, const models::CpuParams& cpu,
          const models::CacheGeometry& cache, models::CodePathCatalog catalog, const kernel::KernelObjects& objects,
          const AmpConfig& config);
  ~AmpHost() override;

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

  const models::CpuCostModel& cost() const override { return *cost_; }
  void set_counting(bool on) override { cost_->set_counting(on); }
  int cpu_count() const override { return config_.cores; }
  CpuRole role(int cpu) const override { return cpu < hosts() ? CpuRole::Host : CpuRole::Ppe; }
  CpuEvents events(int cpu) const override;
  // The host CPUs' threads; a PPE runs none.
  std::vector<ThreadUsage> threads() const override;
  double idle_instructions(int cpu, double idle_cycles) const override;
  nlohmann::json stats() const override;

  // For sessions: the host side's kernel, paths, memory, and the interface to the PPEs.
  kernel::CpuSet& cpus() { return *cpus_; }
  const kernel::KernelPaths& paths() const { return paths_; }
  const AmpPaths& amp_paths() const { return amp_; }
  const kernel::KernelObjects& objects() const { return objects_; }
  models::AddressSpace& memory() { return memory_; }
  // The dynamo process's glibc AIO globals, shared by its workers (0: not modelled).
  models::Addr aio_globals() const { return aio_globals_; }
  kernel::TimerWheel& timers() { return timers_; }
  const AmpConfig& config() const { return config_; }
  int hosts() const { return config_.cores - config_.ppes; }

  // KAL: posts `e` to `ep`'s work queue and rings its PPE's doorbell, on host CPU `cpu`. The PPE
  // sees it once the posting work has finished. `source`: what filling the entry reads (the
  // scatter-gather entries behind a data buffer), if anything.
  void post(int cpu, const world::TcpEndpoint& ep, const WorkEntry& e, bool ring_doorbell,
            const models::Touch& source = {});
  // KAL: reaps every event of `ep`'s queue on host CPU `cpu`; returns the bytes they carry.
  struct Reaped {
    std::uint64_t bytes = 0;
    std::uint64_t events = 0;
  };
  Reaped reap(int cpu, const world::TcpEndpoint& ep);
  // How many events the host waits for before it wants to be woken (0: not waiting).
  void set_wait_threshold(const world::TcpEndpoint& ep, std::uint64_t events);
  std::uint64_t pending_events(const world::TcpEndpoint& ep) const;
  std::uint64_t posted_receives(const world::TcpEndpoint& ep) const;
  // Frees the socket buffers whose payload the host copied itself (amp.rx_copy = host).
  void copy_out_on_host(int cpu, const world::TcpEndpoint& ep, std::uint64_t bytes, models::Addr user);
  // The session bound to `ep`'s connection; TCP activity on it marks it for its PPE.
  void attach_session(const world::TcpEndpoint& ep, AmpSession* session);
  void mark_dirty(const world::TcpEndpoint& ep);
  void count_zero_copy_pages(std::uint64_t pages) { counts_.zero_copy_pages += pages; }
  void count_waits(std::uint64_t waits) { counts_.host_waits += waits; }

 private:
  using Skb = kernel::Skb;
  struct Port;
  struct Conn;
  struct PpeState;

  Ppe& ppe_of(const Conn& c);
  void iteration(int ppe);
  void clean_port(Ppe& p, std::size_t port_index);
  void receive(Ppe& p, std::size_t port_index, world::Frame& frame, const Skb& skb);
  void serve_doorbells(Ppe& p, PpeState& st);
  void serve_connection(Ppe& p, Conn& c);
  void fill_receives(Ppe& p, Conn& c);
  void post_event(Ppe& p, Conn& c, EventEntry e);
  // Whether the host waits for the events queued on `c` (its wait flag set, enough of them):
  // the flag is then taken down and the wake-up counted; the caller wakes the host.
  bool take_wait(Conn& c);
  void charge_transmit(Ppe& p, std::size_t port_index, kernel::TxQueue::Ticket ticket);
  // The mod_timer calls `c`'s TCP has made since last charged, on the PPE `p`.
  void charge_timers(Ppe& p, Conn& c);
  Skb alloc_skb();
  void free_skb(Ppe& p, const Skb& skb);
  void free_tx_clone(Ppe& p, const kernel::TxClone& clone);
  Ppe* executing_ppe();
  void ensure_engines();  // the engines are built once the NICs they poll are attached
  // Timeline: the depths of `c`'s work and event queues and of its PPE's doorbell.
  void trace_queues(const Conn& c);

  std::string name_;
  world::Calendar& calendar_;
  AmpConfig config_;
  models::CodePathCatalog catalog_;
  kernel::KernelObjects objects_;
  kernel::KernelPaths paths_;
  AmpPaths amp_;
  models::AddressSpace memory_;
  models::Addr aio_globals_ = 0;
  models::CoherentCaches caches_;
  kernel::TimerWheel timers_;  // the kernel's timer lists: the PPEs' TCP restarts its timers on them
  kernel::RouteCache routes_;  // the routing cache: the PPEs' IP takes and drops its routes
  std::unique_ptr<models::CpuCostModel> cost_;
  std::unique_ptr<kernel::CpuSet> cpus_;
  std::unique_ptr<kernel::OprofileDaemon> profiler_daemon_;
  std::vector<std::unique_ptr<PpeState>> ppes_;
  std::vector<std::unique_ptr<Port>> ports_;
  kernel::FlowTable flows_;
  std::unordered_map<const world::TcpEndpoint*, std::unique_ptr<Conn>> conns_;
  std::vector<AmpSession*> sessions_;
  models::SlabCache* skb_data_;
  models::SlabCache* skb_heads_;
  models::SlabCache* tx_header_data_;  // sent sk_buffs' linear data, MAX_TCP_HEADER: their headers
  ReceiveErrors errors_;
  stack::net::ParsedFrame received_;  // each received frame parsed into the same buffers
  std::uint64_t next_conn_ = 0;
  std::vector<world::TimelineTrack> tracks_;  // per CPU, when tracing
  world::TimelineTrack queue_track_;
  struct Counts {
    std::uint64_t doorbells = 0, work_requests = 0, events = 0, fallback_events = 0, host_wakeups = 0;
    std::uint64_t zero_copy_pages = 0, rx_copied_bytes = 0, tx_dma_bytes = 0, host_waits = 0;
  } counts_;
  friend class AmpSession;
};

}  // namespace iscsim::host::amp
