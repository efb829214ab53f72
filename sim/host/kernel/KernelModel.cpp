#include "sim/host/kernel/KernelModel.hpp"

#include <algorithm>

namespace iscsim::host::kernel {

namespace {
constexpr long long kMaxObjectBytes = 1 << 20;
constexpr long long kMaxTimerHz = 10000;
constexpr long long kMaxWeight = 1000;  // goodness() terms are small integers in 2.4 (ticks, 20 - nice)
constexpr long long kMaxNice = 19;      // 2.4's nice runs -20..19; the threads here are 0 or above
constexpr long long kMaxWaitSyscalls = 16;  // a wait's system calls: a handful
constexpr long long kMaxWaitSeconds = 3600;
}

KernelPaths KernelPaths::resolve(const models::CodePathCatalog& c) {
  KernelPaths k{};
  k.scheduler = SchedulerPaths{c.id("schedule"),       c.id("wake_up"),        c.id("ipi_handler"),
                               c.id("send_ipi"),       c.id("irq_entry"),      c.id("spin_lock_wait"),
                               c.id("do_softirq"),     c.id("apic_entry")};
  k.syscall = c.id("syscall");
  k.e1000_intr = c.id("e1000_intr");
  k.e1000_clean_rx = c.id("e1000_clean_rx");
  k.eth_type_trans = c.id("eth_type_trans");
  k.netif_rx = c.id("netif_rx");
  k.e1000_alloc_rx = c.id("e1000_alloc_rx");
  k.e1000_xmit_frame = c.id("e1000_xmit_frame");
  k.e1000_clean_tx = c.id("e1000_clean_tx");
  k.e1000_clean_tx_irq = c.id("e1000_clean_tx_irq");
  k.dev_kfree_skb_irq = c.id("dev_kfree_skb_irq");
  k.alloc_skb = c.id("alloc_skb");
  k.kfree_skb = c.id("kfree_skb");
  k.slab_alloc_batch = c.id("slab_alloc_batch");
  k.slab_free_block = c.id("slab_free_block");
  k.do_softirq = c.id("do_softirq");
  k.raw_io_map = c.id("raw_io_map");
  k.raw_io_unmap = c.id("raw_io_unmap");
  k.wait_kio = c.id("wait_kio");
  k.net_rx_action = c.id("net_rx_action");
  k.ip_rcv = c.id("ip_rcv");
  k.tcp_v4_rcv = c.id("tcp_v4_rcv");
  k.tcp_rcv_data = c.id("tcp_rcv_data");
  k.tcp_backlog_add = c.id("tcp_backlog_add");
  k.tcp_prequeue = c.id("tcp_prequeue");
  k.submit_bh = c.id("submit_bh");
  k.tcp_rcv_ack = c.id("tcp_rcv_ack");
  k.tcp_sendmsg = c.id("tcp_sendmsg");
  k.tcp_transmit = c.id("tcp_transmit");
  k.dev_queue_xmit = c.id("dev_queue_xmit");
  k.tcp_recvmsg = c.id("tcp_recvmsg");
  k.tcp_timer = c.id("tcp_timer");
  k.sock_sendmsg = c.id("sock_sendmsg");
  k.sock_recvmsg = c.id("sock_recvmsg");
  k.copy_to_user = c.id("copy_to_user");
  k.copy_from_user = c.id("copy_from_user");
  k.iscsi_rx_pdu = c.id("iscsi_rx_pdu");
  k.iscsi_tx_pdu = c.id("iscsi_tx_pdu");
  k.iscsi_queuecommand = c.id("iscsi_queuecommand");
  k.scsi_request = c.id("scsi_request");
  k.scsi_map_bh = c.id("scsi_map_bh");
  k.scsi_done = c.id("scsi_done");
  k.end_buffer_io = c.id("end_buffer_io");
  k.dynamo_io = c.id("dynamo_io");
  k.aio_request = c.id("aio_request");
  k.aio_notify = c.id("aio_notify");
  k.signal_send = c.id("signal_send");
  k.signal_deliver = c.id("signal_deliver");
  k.oprofiled_sample = c.id("oprofiled_sample");
  k.local_timer = c.id("local_timer");
  k.mod_timer = c.id("mod_timer");
  return k;
}

Picos KernelObjects::tick_period() const {
  return local_timer_hz > 0 ? models::picos_from_seconds(1.0 / local_timer_hz) : 0;
}

std::uint32_t KernelObjects::skb_data_aligned_bytes(std::uint32_t size) const {
  const std::uint64_t align = skb_data_align_bytes;
  return static_cast<std::uint32_t>((size + align - 1) / align * align);
}

std::uint32_t KernelObjects::skb_data_object_bytes(std::uint32_t size) const {
  const std::uint64_t bytes = std::uint64_t{skb_data_aligned_bytes(size)} + skb_shared_info_bytes;
  std::uint64_t object = 1;
  while (object < bytes) object <<= 1;  // 2.4 kmalloc's general caches: size-32 ... size-131072
  return static_cast<std::uint32_t>(object);
}

std::uint32_t KernelObjects::rx_buffer_bytes(std::uint32_t mtu_bytes) const {
  const std::uint32_t max_frame = mtu_bytes + e1000_frame_overhead_bytes;
  if (max_frame <= e1000_standard_frame_bytes) return e1000_rx_buffer_bytes;
  std::uint32_t buffer = e1000_rx_buffer_bytes << 1;
  while (buffer < max_frame) buffer <<= 1;
  return buffer;
}

KernelObjects KernelObjects::from(const models::ParamSet& p, std::uint32_t mtu_bytes) {
  const auto get = [&p](const char* name) {
    return static_cast<std::uint32_t>(p.integer(name, 1, kMaxObjectBytes));
  };
  KernelObjects o{};
  o.page_bytes = get("page_bytes");
  o.sock_bytes = get("sock_bytes");
  o.sock_hot_bytes = get("sock_hot_bytes");
  o.skb_head_bytes = get("skb_head_bytes");
  o.descriptor_bytes = get("descriptor_bytes");
  o.scsi_cmnd_bytes = get("scsi_cmnd_bytes");
  o.iscsi_cmd_bytes = get("iscsi_cmd_bytes");
  o.iscsi_header_bytes = get("iscsi_header_bytes");
  o.page_struct_bytes = get("page_struct_bytes");
  o.buffer_head_bytes = get("buffer_head_bytes");
  o.raw_sector_bytes = get("raw_sector_bytes");
  o.kio_max_sectors = get("kio_max_sectors");
  o.kiobuf_sector_entry_bytes = get("kiobuf_sector_entry_bytes");
  o.e1000_max_intr_passes = get("e1000_max_intr_passes");
  // Zero switches a mechanism off (calibrate's ablations): no scheduler data lines, no kernel
  // stacks or wait queues, no tick, no per-CPU slab arrays, no socket write in a sent clone's free,
  // no cost to a slab batch, no shared transmit state, no list links between queued sk_buffs, no
  // routing cache lines, no SCSI scatter-gather table, no sk_buff shared info, no driver records
  // of the descriptors.
  const auto optional = [&p](const char* name) {
    return static_cast<std::uint32_t>(p.integer(name, 0, kMaxObjectBytes));
  };
  o.tcp_tx_header_reserve_bytes = get("tcp_tx_header_reserve_bytes");
  o.skb_data_align_bytes = get("skb_data_align_bytes");
  o.skb_shared_info_bytes = get("skb_shared_info_bytes");
  o.skb_shared_info_hot_bytes = optional("skb_shared_info_hot_bytes");
  o.e1000_rx_buffer_bytes = get("e1000_rx_buffer_bytes");
  o.e1000_rx_ip_align_bytes = optional("e1000_rx_ip_align_bytes");
  o.dev_alloc_skb_reserve_bytes = optional("dev_alloc_skb_reserve_bytes");
  o.e1000_frame_overhead_bytes = get("e1000_frame_overhead_bytes");
  o.e1000_standard_frame_bytes = get("e1000_standard_frame_bytes");
  const std::uint32_t rx_size = o.rx_buffer_bytes(mtu_bytes) + o.e1000_rx_ip_align_bytes + o.dev_alloc_skb_reserve_bytes;
  o.rx_skb_data_aligned_bytes = o.skb_data_aligned_bytes(rx_size);
  o.rx_frame_offset_bytes = o.dev_alloc_skb_reserve_bytes + o.e1000_rx_ip_align_bytes;
  o.skb_data_bytes = o.skb_data_object_bytes(rx_size);
  o.sock_wfree_bytes = optional("sock_wfree_bytes");
  o.skb_link_bytes = optional("skb_link_bytes");
  o.slab_descriptor_bytes = optional("slab_descriptor_bytes");
  o.tx_ring_indices_bytes = optional("tx_ring_indices_bytes");
  o.e1000_buffer_bytes = optional("e1000_buffer_bytes");
  o.netdev_queue_bytes = optional("netdev_queue_bytes");
  o.netdev_hot_bytes = optional("netdev_hot_bytes");
  o.block_shared_bytes = optional("block_shared_bytes");
  o.scatterlist_entry_bytes = optional("scatterlist_entry_bytes");
  o.scatterlist_chunk_bytes = get("scatterlist_chunk_bytes");
  o.scatterlist_clustering = p.integer("scatterlist_clustering", 0, 1) == 1;
  o.routes = {optional("dst_hot_bytes"), get("rtable_bytes"), optional("hh_cache_bytes"), optional("rt_hash_bucket_bytes")};
  o.sock_hot_read_throughout = p.integer("sock_hot_read_throughout", 0, 1) == 1;
  o.sent_headers_in_data = p.integer("sent_headers_in_data", 0, 1) == 1;
  o.task = {optional("task_hot_bytes"), optional("kernel_stack_resume_bytes"), optional("kernel_stack_interrupt_bytes"),
            optional("wait_queue_bytes")};
  o.aio = {optional("aiocb_touched_bytes"), optional("aio_request_bytes"), optional("aio_globals_bytes")};
  o.waits = {static_cast<std::uint32_t>(p.integer("timedwait_syscalls_to_sleep", 1, kMaxWaitSyscalls)),
             static_cast<std::uint32_t>(p.integer("timedwait_syscalls_on_restart", 0, kMaxWaitSyscalls)),
             p.integer("aio_suspend_timeout_ms", 0, kMaxWaitSeconds * 1000) * models::kPicosPerSecond / 1000,
             p.integer("aio_idle_time_s", 0, kMaxWaitSeconds) * models::kPicosPerSecond};
  o.local_timer_hz = static_cast<double>(p.integer("local_timer_hz", 0, kMaxTimerHz));
  o.timers = {optional("timer_list_bytes"), get("timer_list_head_bytes"), get("timer_root_buckets"),
              get("timer_vector_buckets"), get("timerlist_lock_bytes")};
  o.retransmit_timer_offset = get("tcp_retransmit_timer_offset_bytes");
  o.delack_timer_offset = get("tcp_delack_timer_offset_bytes");
  o.slab_cpucache = {optional("slab_cpucache_limit_over_1024_bytes"), optional("slab_cpucache_limit_over_256_bytes"),
                     optional("slab_cpucache_limit_small"), o.page_bytes};
  const auto weight = [&p](const char* name) { return static_cast<int>(p.integer(name, 0, kMaxWeight)); };
  o.scheduler = {weight("timeslice_ticks"), weight("goodness_base_weight"), weight("proc_change_penalty"),
                 weight("same_mm_bonus")};
  const auto share = [&p](const char* name) {
    const double v = p.number(name);
    if (!(v >= 0 && v <= 1)) throw models::ParamError(p.origin() + ": " + name + " must be in [0, 1], got " + std::to_string(v));
    return v;
  };
  o.io_request_lock = {share("io_request_lock_share_of_submit_bh"), share("io_request_lock_share_of_request"),
                       share("io_request_lock_share_of_scsi_done")};
  o.ksoftirqd = p.integer("ksoftirqd", 0, 1) == 1;
  o.ksoftirqd_nice = static_cast<int>(p.integer("ksoftirqd_nice", 0, kMaxNice));
  o.ksoftirqd_timeslice_ticks = weight("ksoftirqd_timeslice_ticks");
  p.require_all_read();
  if (o.sock_hot_bytes > o.sock_bytes || o.sock_wfree_bytes > o.sock_bytes ||
      o.skb_link_bytes > o.skb_head_bytes || o.routes.dst_hot > o.routes.rtable ||
      std::max(o.retransmit_timer_offset, o.delack_timer_offset) + o.timers.timer_list_bytes > o.sock_bytes)
    throw models::ParamError(p.origin() +
                             ": sock_hot_bytes and sock_wfree_bytes must fit in sock_bytes, "
                             "skb_link_bytes in skb_head_bytes, dst_hot_bytes in rtable_bytes, the TCP timers in sock_bytes");
  return o;
}

}  // namespace iscsim::host::kernel
