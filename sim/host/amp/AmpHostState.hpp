#pragma once
// The AMP host's own state, shared by its implementation files only (AmpHost.cpp: ports,
// connections, transmit and reports; AmpPpeLoop.cpp: what a PPE's iteration does; AmpKal.cpp:
// the host's side of the queues): per NIC port, per connection, per packet engine.
#include <deque>
#include <memory>
#include <utility>
#include <vector>

#include "sim/host/amp/AmpHost.hpp"
#include "sim/host/kernel/ReceiveRing.hpp"
#include "sim/host/kernel/WriteQueue.hpp"
#include "sim/host/kernel/SendSequence.hpp"
#include "sim/host/kernel/TcpTimerCalls.hpp"

namespace iscsim::host::amp {

// What one iteration of the loop polls per NIC: its RX descriptor head and its TX head.
inline constexpr double kSourcesPerNic = 2;

struct AmpHost::Port {
  world::NicPort* nic = nullptr;
  std::size_t ppe = 0;
  kernel::TxQueue tx;
  std::deque<kernel::TxClone> tx_clones;
  kernel::ReceiveRing rx_ring;
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
  kernel::WriteQueue write_queue;
  kernel::SendSequence sent;  // what of the stream has left at least once
  kernel::TcpTimerCalls timer_calls;
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
  std::deque<std::pair<std::size_t, kernel::TxQueue::Ticket>> timer_frames;  // port and frame sent outside the loop
};

}  // namespace iscsim::host::amp
