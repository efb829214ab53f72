// The SMP host's NIC driver, as e1000 5.x runs it: its interrupt handler and the loop of RX and
// TX cleans in it, and the struct net_device state its paths share with the sending CPUs.
#include <vector>

#include "sim/host/smp/SmpHost.hpp"

namespace iscsim::host::smp {

namespace {
// NET_RX_SOFTIRQ's number in 2.4's softirq vector (include/linux/interrupt.h: HI, NET_TX, NET_RX).
constexpr int kNetRxSoftirq = 2;
}  // namespace

models::Touch SmpHost::queue_state(const Port& port, bool write) const {
  return {port.netdev_queue, port.netdev_queue != 0 ? objects_.netdev_queue_bytes : 0, write};
}

models::Touch SmpHost::device_refcount(const Port& port) const {
  // struct net_device's refcnt sits beside queue_lock and xmit_lock, in the queue state's last
  // line: dev_hold and dev_put are locked operations on it.
  const std::uint64_t line = memory_.line_bytes();
  if (port.netdev_queue == 0 || objects_.netdev_queue_bytes < line) return {};
  return {port.netdev_queue + objects_.netdev_queue_bytes - line, line, true, true};
}

void SmpHost::interrupt(std::size_t port_index) {
  ++interrupts_;
  cpus_->raise_irq(route(port_index),
                   Work{[this, port_index](int cpu) { hard_irq(cpu, port_index); }, {}, irq_names_[port_index]});
}

void SmpHost::hard_irq(int cpu, std::size_t port_index) {
  cpus_->run(cpu, paths_.scheduler.irq_entry, 1, 0, {cpus_->interrupt_frames(cpu)});
  // Its one read of ICR, and its load of netdev->priv.
  cpus_->run(cpu, paths_.e1000_intr, 1, 0, {netdev_hot(ports_[port_index], false)});
  e1000_intr_pass(cpu, port_index, 1);
}

void SmpHost::e1000_intr_pass(int cpu, std::size_t port_index, std::uint32_t pass) {
  Port& port = ports_[port_index];
  CpuSet& k = *cpus_;
  ++clean_passes_;
  // e1000_clean_rx_irq, then e1000_clean_tx_irq. The frames are taken off the ring first: a NIC
  // whose writes the host sees at the clean (an ablation) has them land before the pass's work.
  std::vector<world::Frame> frames = port.nic->clean_rx();
  taken_.clear();
  for (const world::Frame& frame : frames)
    taken_.push_back(port.rx_ring.take(*cost_, calendar_.now(), frame.size(),
                                       kernel::frame_header_bytes(frame.data(), frame.size())));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto& [skb, descriptor, record] = taken_[i];
    // The clean stores the frame's time in netdev->last_rx.
    k.run(cpu, paths_.e1000_clean_rx, 1, 0,
          {descriptor, record, {skb.head, objects_.skb_head_bytes, true}, netdev_hot(port, true, true)});
    // The driver's first read of the frame is eth_type_trans's (net/ethernet): a profiler charges
    // the header's miss there, not to the driver. It compares the destination with dev_addr.
    k.run(cpu, paths_.eth_type_trans, 1, 0, {objects_.rx_headers(skb), netdev_hot(port, false)});
    // netif_rx (net/core) stamps the sk_buff, takes a reference on the device (dev_hold) and
    // links the sk_buff to this CPU's backlog.
    k.run(cpu, paths_.netif_rx, 1, 0, {{skb.head, objects_.skb_head_bytes, true}, device_refcount(port)});
    const Skb fresh = alloc_skb(cpu);
    k.run(cpu, paths_.alloc_skb, 1, 0,
          {{fresh.head, objects_.skb_head_bytes, true}, objects_.shinfo(objects_.rx_shinfo(fresh.data), KernelObjects::ShinfoUse::Set)});
    const kernel::DescriptorRing::Slots posted = port.rx_ring.post(fresh);
    k.run(cpu, paths_.e1000_alloc_rx, 1, 0, {posted.descriptors, posted.records});
    backlog_[cpu].push_back(Received{std::move(frames[i]), skb, port_index});
  }
  // netif_rx raises NET_RX for each frame it queues (net/core/dev.c).
  if (!frames.empty()) k.mark_softirq_pending(cpu, kNetRxSoftirq);
  // e1000_clean_tx_irq's own part, every pass: it takes the adapter's tx_lock (a locked
  // operation) whether or not it cleans; the lock lies on the ring's record's line.
  k.run(cpu, paths_.e1000_clean_tx_irq, 1, 0, {port.tx_ring.indices()});
  const std::uint32_t reclaimed = port.nic->clean_tx();
  if (reclaimed > 0) {
    // netif_queue_stopped reads the queue's state; next_to_clean moves on.
    const kernel::DescriptorRing::Slots cleaned = port.tx_ring.clean(*cost_, calendar_.now(), reclaimed);
    k.run(cpu, paths_.e1000_clean_tx, reclaimed, 0,
          {cleaned.descriptors, cleaned.records, port.tx_ring.indices(), queue_state(port, false)});
    // In the interrupt, dev_kfree_skb_any is dev_kfree_skb_irq: its locked decrement of each
    // sk_buff's users, and the sk_buff queued for NET_TX on this CPU.
    k.run(cpu, paths_.dev_kfree_skb_irq, reclaimed, 0);
    for (std::uint32_t i = 0; i < reclaimed && !port.tx_clones.empty(); ++i) {
      free_tx_clone(cpu, port.tx_clones.front());
      port.tx_clones.pop_front();
    }
    port.tx.drain();
  }
  if (!backlog_[cpu].empty() && !net_rx_raised_[cpu]) {
    net_rx_raised_[cpu] = true;
    k.raise_softirq(cpu, Work{[this](int on) { net_rx(on); }, {}, "softirq NET_RX"});
  }
  // e1000_intr's loop (e1000 5.x, non-NAPI) cleans again while a pass finds work, up to
  // E1000_MAX_INTR passes: what landed or was sent during this pass is taken in the same
  // interrupt. The pass that finds nothing reads two descriptors the pass before left cached.
  if ((frames.empty() && reclaimed == 0) || pass >= objects_.e1000_max_intr_passes) return;
  k.defer(cpu, [this, cpu, port_index, pass] {
    if (!ports_[port_index].nic->cleanable()) return;
    cpus_->continue_irq(cpu, Work{[this, port_index, pass](int on) { e1000_intr_pass(on, port_index, pass + 1); },
                                  {}, irq_names_[port_index]});
  });
}

}  // namespace iscsim::host::smp
