#pragma once
// What a Linux 2.4 host charges and touches: the code paths of its catalog, resolved by name,
// and the sizes of the kernel objects it allocates (from models/params/kernel/).
#include <cstdint>

#include "models/common/ParamSet.hpp"
#include "models/cpu/CodePath.hpp"
#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/PerCpuSlab.hpp"
#include "sim/host/kernel/Skb.hpp"
#include "sim/host/kernel/TimerWheel.hpp"

namespace iscsim::host::kernel {

struct KernelPaths {
  SchedulerPaths scheduler;
  models::PathId syscall, e1000_intr, e1000_clean_rx, eth_type_trans, netif_rx, e1000_alloc_rx, e1000_xmit_frame, e1000_clean_tx,
      e1000_clean_tx_irq, dev_kfree_skb_irq;
  models::PathId alloc_skb, kfree_skb, slab_alloc_batch, slab_free_block, do_softirq, raw_io_map, raw_io_unmap, wait_kio, submit_bh;
  models::PathId net_rx_action, ip_rcv, tcp_v4_rcv, tcp_rcv_data, tcp_rcv_ack, tcp_backlog_add, tcp_prequeue, tcp_sendmsg, tcp_transmit;
  models::PathId dev_queue_xmit, tcp_recvmsg, tcp_timer;
  models::PathId sock_sendmsg, sock_recvmsg;  // the BSD socket layer above TCP (the paper's Interface)
  models::PathId copy_to_user, copy_from_user;
  models::PathId iscsi_rx_pdu, iscsi_tx_pdu, iscsi_queuecommand, scsi_request, scsi_map_bh, scsi_done, end_buffer_io;
  models::PathId dynamo_io;
  models::PathId aio_request, aio_notify, signal_send, signal_deliver, oprofiled_sample;
  models::PathId local_timer, mod_timer;
  static KernelPaths resolve(const models::CodePathCatalog& catalog);
};

// What of glibc's POSIX AIO its threads touch, in bytes (0: not modelled): of each worker's
// aiocb, the fields set, read and written back; a request element; the process's globals (the
// requests mutex, the new-request condition, the list heads).
struct AioObjectBytes {
  std::uint32_t aiocb = 0;
  std::uint32_t request = 0;
  std::uint32_t globals = 0;
};

// What of Linux 2.4's routing cache every packet touches, in bytes (0: not modelled): a route's
// hot fields (struct dst_entry up to pmtu), the whole struct rtable as allocated, the
// neighbour's hardware-header cache that each sent frame copies its header from, and the hash
// bucket each received frame's lookup read-locks.
struct RouteObjectBytes {
  std::uint32_t dst_hot = 0;
  std::uint32_t rtable = 0;
  std::uint32_t hh_cache = 0;
  std::uint32_t hash_bucket = 0;
};

// LinuxThreads' timed waits (pthread_cond_timedwait, __pthread_timedsuspend_new) as dynamo's
// threads make them: the system calls before the sleep and after the restart signal, and how long
// each would sleep (0: an untimed wait, sigsuspend then the signal handler's sigreturn).
struct TimedWaits {
  std::uint32_t syscalls_to_sleep = 0;
  std::uint32_t syscalls_on_restart = 0;
  Picos worker_timeout = 0;  // IOmeter's aio_suspend
  Picos helper_idle = 0;     // glibc's helper with no request
};

// The shares of the block and SCSI layers' work spent holding io_request_lock (the rest of their
// turns run without it); 0: never held.
struct IoRequestLockShares {
  double submit_bh = 1;  // of each buffer_head's turn: __make_request
  double request = 1;    // of the request function's work with the host's queuecommand
  double scsi_done = 1;  // of a command's completion
};

struct KernelObjects {
  std::uint32_t page_bytes, sock_bytes, sock_hot_bytes, sock_wfree_bytes, skb_head_bytes;
  // A received sk_buff's data as e1000_alloc_rx_buffers asks for it (dev_alloc_skb of the receive
  // buffer's length, for the MTU, and NET_IP_ALIGN): the kmalloc object it takes, and its size as
  // alloc_skb aligned it, which is where its skb_shared_info lies and what its truesize counts.
  std::uint32_t skb_data_bytes, rx_skb_data_aligned_bytes;
  std::uint32_t rx_frame_offset_bytes;  // where the frame lands in it: the two reserves
  std::uint32_t slab_descriptor_bytes;  // 0: a batch between a CPU's array and the shared cache costs nothing
  std::uint32_t skb_link_bytes;         // next and prev of a queued sk_buff; 0: not modelled
  std::uint32_t tx_ring_indices_bytes;  // the driver's TX ring indices; 0: not modelled
  std::uint32_t e1000_buffer_bytes;     // the driver's record of each descriptor; 0: not modelled
  std::uint32_t netdev_queue_bytes;     // a NIC's transmit queue state; 0: not modelled
  std::uint32_t netdev_hot_bytes;       // a NIC's trans_start, last_rx and priv line; 0: not modelled
  // The block and SCSI layers' state every command writes on whichever CPU submits or completes
  // it: io_request_lock's line, the request queue, the SCSI host's and device's busy counts.
  std::uint32_t block_shared_bytes;  // 0: not modelled
  RouteObjectBytes routes;              // the routing cache's entries each packet touches
  bool sock_hot_read_throughout;        // TCP's paths read the socket's hot fields all along (else once)
  bool sent_headers_in_data;            // a sent frame's headers written in its sk_buff's data (else nowhere)
  std::uint32_t descriptor_bytes, scsi_cmnd_bytes, iscsi_cmd_bytes, iscsi_header_bytes, page_struct_bytes;
  std::uint32_t buffer_head_bytes, raw_sector_bytes, kio_max_sectors, kiobuf_sector_entry_bytes;
  // A SCSI command's scatter-gather table: its entries (0: no table), the chunks scsi_malloc
  // rounds it to, and whether adjacent buffer_heads share an entry (use_clustering).
  std::uint32_t scatterlist_entry_bytes, scatterlist_chunk_bytes;
  bool scatterlist_clustering;
  // tcp_sendmsg's sk_buffs: the room alloc_skb's data keeps before the payload (MAX_TCP_HEADER),
  // the alignment of its size (SKB_DATA_ALIGN) and the skb_shared_info kmalloc'd behind it.
  std::uint32_t tcp_tx_header_reserve_bytes, skb_data_align_bytes, skb_shared_info_bytes;
  // The words of an sk_buff's skb_shared_info that alloc_skb sets (dataref, nr_frags, frag_list),
  // skb_clone and a clone's free count on and skb_release_data reads; 0: not modelled.
  std::uint32_t skb_shared_info_hot_bytes;
  std::uint32_t e1000_rx_buffer_bytes, e1000_rx_ip_align_bytes, dev_alloc_skb_reserve_bytes;
  // e1000_change_mtu: the receive buffer of a link with an `mtu_bytes` MTU, E1000_RXBUFFER_2048
  // for standard frames, else the smallest of _4096, _8192 and _16384 that holds its largest.
  std::uint32_t e1000_frame_overhead_bytes, e1000_standard_frame_bytes;
  std::uint32_t rx_buffer_bytes(std::uint32_t mtu_bytes) const;
  std::uint32_t e1000_max_intr_passes;  // E1000_MAX_INTR: e1000_intr's loop's passes, at most
  double local_timer_hz;  // HZ: each CPU's local APIC timer
  TimerWheelLayout timers;  // 2.4's kernel timer lists, which TCP's mod_timer calls write
  std::uint32_t retransmit_timer_offset, delack_timer_offset;  // the socket's two TCP timers
  SchedulerWeights scheduler;  // time slices and goodness()
  IoRequestLockShares io_request_lock;
  // Each CPU's ksoftirqd, its nice and its slice (2.4.17 kernel/softirq.c); false: none.
  bool ksoftirqd;
  int ksoftirqd_nice, ksoftirqd_timeslice_ticks;
  TaskObjectBytes task;  // what of each task schedule() and wake-ups touch
  AioObjectBytes aio;    // what of glibc's AIO the dynamo's threads touch
  TimedWaits waits;      // how they wait for each other
  CpuCacheLimits slab_cpucache;
  Picos tick_period() const;
  // The list pointer an enqueue or unlink stores into a queued neighbour, the sk_buff head at
  // `head` (0: none): that line is written, not read.
  models::Touch skb_link(models::Addr head) const { return models::stored(head, head != 0 ? skb_link_bytes : 0u); }
  // The hot fields of the socket at `sock` (its tcp_opt's sequence numbers, windows and queues),
  // as a TCP path reads and, when `write`, writes them.
  models::Touch sock_hot(models::Addr sock, bool write) const {
    return {sock, sock_hot_bytes, write, false, false, sock_hot_read_throughout};
  }
  // alloc_skb(size): its data's size once aligned (SKB_DATA_ALIGN), and the kmalloc object that
  // holds it and the skb_shared_info behind it, the general cache of the smallest power of two.
  std::uint32_t skb_data_aligned_bytes(std::uint32_t size) const;
  std::uint32_t skb_data_object_bytes(std::uint32_t size) const;
  // How a path uses the skb_shared_info at `at` (0: none): alloc_skb's stores, a dataref atomic
  // (skb_clone's increment, skb_release_data's decrement of a cloned one), or skb_release_data's
  // loads of nr_frags and frag_list.
  enum class ShinfoUse { Set, Count, Read };
  models::Touch shinfo(models::Addr at, ShinfoUse use) const {
    const std::uint64_t bytes = at != 0 ? skb_shared_info_hot_bytes : 0;
    return {at, bytes, use != ShinfoUse::Read, use == ShinfoUse::Count, use == ShinfoUse::Set};
  }
  // Where the NIC writes a received frame into the data at `data`: past dev_alloc_skb's reserve
  // and NET_IP_ALIGN, where skb->data points when the driver hands it up.
  models::Addr rx_frame(models::Addr data) const { return data + rx_frame_offset_bytes; }
  // A received frame's headers, which the driver's eth_type_trans and TCP read.
  models::Touch rx_headers(const Skb& skb) const {
    const models::Addr frame = rx_frame(skb.data);
    return {frame, skb.payload > frame ? skb.payload - frame : 0, false};
  }
  // The skb_shared_info of a received sk_buff whose data is at `data` (0: none), behind it.
  models::Addr rx_shinfo(models::Addr data) const { return data != 0 ? data + rx_skb_data_aligned_bytes : 0; }
  // An sk_buff TCP sends with no payload of its own (tcp_send_ack's alloc_skb(MAX_TCP_HEADER)):
  // its data's kmalloc object, where its headers end, and its shared info (0: none).
  std::uint32_t header_data_object_bytes() const { return skb_data_object_bytes(tcp_tx_header_reserve_bytes); }
  models::Addr header_data_end(models::Addr data) const { return data != 0 ? data + tcp_tx_header_reserve_bytes : 0; }
  models::Addr header_data_shinfo(models::Addr data) const {
    return data != 0 ? data + skb_data_aligned_bytes(tcp_tx_header_reserve_bytes) : 0;
  }
  // tcp_sendmsg's alloc_skb for a segment of `mss` bytes: its payload past MAX_TCP_HEADER.
  std::uint32_t tx_skb_size(std::uint32_t mss) const { return mss + tcp_tx_header_reserve_bytes; }
  // The data in `bytes` of an initiator's output that `pdus` PDUs carry: their headers taken off.
  std::uint64_t pdu_data_bytes(std::uint64_t bytes, std::uint64_t pdus) const {
    const std::uint64_t headers = pdus * iscsi_header_bytes;
    return bytes > headers ? bytes - headers : 0;
  }
  // The objects of the kernel whose parameters `p` holds, on links of an `mtu_bytes` MTU.
  static KernelObjects from(const models::ParamSet& p, std::uint32_t mtu_bytes);
};

}  // namespace iscsim::host::kernel
