#include "sim/scenario/Schema.hpp"

#include <algorithm>
#include <set>

namespace iscsim::scenario {

namespace {

using nlohmann::json;

// Physical bounds: what the simulated hardware and Linux accept, not what a study may want.
constexpr double kMaxFrequencyGhz = 10.0;
constexpr double kMaxLinkGbps = 400.0;
constexpr double kMinMtu = 576;    // RFC 791 minimum datagram every host must accept
constexpr double kMaxMtu = 9000;   // jumbo frames
constexpr double kMinRing = 8;     // 8254x: descriptor ring length is a multiple of 8, 128 bytes
constexpr double kMaxRing = 4096;  // e1000 driver maximum
constexpr long long kRingMultiple = 8;
constexpr double kMinSocketBuffer = 4096;      // SOCK_MIN_RCVBUF order
constexpr double kMaxSocketBuffer = 16777216;  // 16 MiB
constexpr double kMaxCores = 64;
constexpr double kMaxNics = 16;
constexpr double kMaxIoBytes = 16777216;
constexpr double kMaxOutstanding = 256;
constexpr double kMaxWorkers = 64;
constexpr long long kBlockBytes = 512;
constexpr double kMaxLunBytes = 17179869184.0;  // 16 GiB: the store is sparse, the generation table is not
constexpr double kMaxSessions = 16;
constexpr double kMinSegment = 512;          // RFC 7143 section 13.12-13.14
constexpr double kMaxSegment = 16777215;     // 2^24 - 1
constexpr double kMax16 = 65535;
constexpr double kMaxSeed = 9223372036854775807.0;
constexpr double kMaxDelayUs = 1e6;
constexpr double kMaxInterruptRate = 1e6;
constexpr double kMaxItrDelayUs = 65535 * 1.024;  // 16-bit RDTR/RADV/TIDV/TADV in 1.024 us units

KeySpec number(std::string path, double def, std::string doc, std::optional<double> min = std::nullopt,
               std::optional<double> max = std::nullopt, bool min_exclusive = false) {
  return KeySpec{std::move(path), KeyType::Number, def, std::move(doc), min, max, min_exclusive, {}, std::nullopt};
}
KeySpec integer(std::string path, long long def, std::string doc, double min, double max,
                std::optional<long long> multiple = std::nullopt) {
  return KeySpec{std::move(path), KeyType::Integer, def, std::move(doc), min, max, false, {}, multiple};
}
KeySpec boolean(std::string path, bool def, std::string doc) {
  return KeySpec{std::move(path), KeyType::Boolean, def, std::move(doc), std::nullopt, std::nullopt, false, {}, std::nullopt};
}
KeySpec string(std::string path, std::string def, std::string doc) {
  return KeySpec{std::move(path), KeyType::String, std::move(def), std::move(doc), std::nullopt, std::nullopt, false, {},
                 std::nullopt};
}
KeySpec enumeration(std::string path, std::string def, std::vector<std::string> allowed, std::string doc) {
  return KeySpec{std::move(path), KeyType::Enum, std::move(def), std::move(doc), std::nullopt, std::nullopt, false,
                 std::move(allowed), std::nullopt};
}

std::vector<KeySpec> build() {
  return {
      string("name", "", "scenario name; names the default output directory (default: the file's stem)"),
      string("description", "", "free text"),
      string("extends", "", "path of a base scenario, relative to this file, merged under it"),
      enumeration("host.architecture", "ideal", {"ideal", "smp", "amp"},
                  "ideal: software costs nothing (the wire bound); smp: Linux 2.4 SMP; amp: packet engines"),
      integer("host.cores", 2, "CPUs (cores) of the initiator host", 1, kMaxCores),
      integer("host.ppes", 1, "AMP: how many cores are packet processing engines (fewer than host.cores)", 1,
              kMaxCores),
      string("host.cpu.model", "netburst-xeon", "CPU parameter set under models/params/cpu/"),
      number("host.cpu.frequency_ghz", 2.4, "CPU clock, GHz", 0, kMaxFrequencyGhz, true),
      string("host.cache.model", "xeon-prestonia-l2", "L2 cache parameter set under models/params/cache/"),
      string("host.code_paths", "linux-2.4-calibrated",
             "code-path catalog under models/params/paths/ (instructions, CPI, footprint per kernel path)"),
      string("host.code_path_patch", "none",
             "smp and amp: another version of some paths' code, a parameter set under models/params/patches/ "
             "that replaces their fixed counts (uncached register accesses, traps, locked operations) and "
             "keeps their instructions and CPIs (e1000-4.1.7: the paper-era driver's handler and rings over "
             "the catalog's 5.x), or none"),
      string("host.kernel_objects", "linux-2.4-objects", "kernel object sizes and tick, scheduler and slab constants under models/params/kernel/"),
      integer("host.code_layout", 0,
              "smp and amp: where the code paths' code sits, each at pages chosen by a hash of its name and "
              "this number; 0 is the placement the shipped catalog was fitted on, another number another "
              "placement by the same rule (to see what the layout moves)",
              0, kMaxSeed),
      enumeration("host.irq_routing", "all_to_cpu0", {"all_to_cpu0", "round_robin", "per_nic"},
                  "smp: which CPU takes a NIC interrupt (Linux 2.4 sends all to CPU0)"),
      enumeration("host.idle", "halt", {"halt", "poll"},
                  "smp and amp host CPUs: Linux 2.4's idle loop. halt (default_idle): hlt until an interrupt, a "
                  "reschedule IPI wakes it; poll (the idle=poll boot option, poll_idle): spins on need_resched, "
                  "is woken without an IPI, and every interrupt flushes its pipeline"),
      string("host.profiler", "none",
             "smp and amp hosts: the sampling profiler running while they are measured, a parameter set under "
             "models/params/profiler/ (oprofile-0.6-p4 and oprofile-0.7-p4: OProfile's default time event before "
             "and after October 2003, whose overflow NMIs flush each CPU's pipeline wherever it runs and count an "
             "interrupt's clear in the handler's entry, and whose daemon, a process of the host's, files every "
             "sample), or none"),
      integer("nics.count", 2, "initiator NICs, each with its own link and target", 1, kMaxNics),
      string("nics.model", "pro1000", "NIC parameter set under models/params/nic/"),
      number("nics.link_gbps", 1.0, "link speed, Gb/s", 0, kMaxLinkGbps, true),
      integer("nics.mtu_bytes", 1500, "IP MTU, bytes", kMinMtu, kMaxMtu),
      integer("nics.tx_ring", 256, "transmit descriptors per NIC (multiple of 8)", kMinRing, kMaxRing, kRingMultiple),
      integer("nics.rx_ring", 256, "receive descriptors per NIC (multiple of 8)", kMinRing, kMaxRing, kRingMultiple),
      number("nics.itr_ints_per_s", 8000, "interrupt throttle, interrupts/s per NIC (0 = off; e1000 default 8000)",
             0, kMaxInterruptRate),
      number("nics.rdtr_us", 0, "receive interrupt delay timer (RDTR), us", 0, kMaxItrDelayUs),
      number("nics.radv_us", 131.072, "receive absolute interrupt delay (RADV), us", 0, kMaxItrDelayUs),
      number("nics.tidv_us", 65.536, "transmit interrupt delay (TIDV), us", 0, kMaxItrDelayUs),
      number("nics.tadv_us", 65.536, "transmit absolute interrupt delay (TADV), us", 0, kMaxItrDelayUs),
      string("pci.model", "pci-x-133", "PCI bus parameter set under models/params/pci/"),
      boolean("pci.shared", false, "true: all initiator NICs share one bus segment; false: one segment each"),
      number("link.latency_us", 1.0, "one-way propagation and PHY latency, us", 0, kMaxDelayUs),
      number("link.loss_rate", 0, "probability that a frame is lost", 0, 1),
      number("link.corrupt_rate", 0, "probability that a frame is corrupted (then dropped by its checksum)", 0, 1),
      number("link.reorder_rate", 0, "probability that a frame is held back and overtaken", 0, 1),
      number("link.reorder_delay_us", 50, "how long a reordered frame is held back, us", 0, kMaxDelayUs),
      number("link.duplicate_rate", 0, "probability that a frame is delivered twice", 0, 1),
      number("link.silent_corrupt_rate", 0,
             "probability that a frame's TCP payload is damaged with its checksums recomputed (a fault past "
             "the NIC's checksum): only iSCSI digests catch it",
             0, 1),
      boolean("tcp.timestamps", true, "RFC 7323 timestamps option (Linux default on)"),
      boolean("tcp.nodelay", true, "TCP_NODELAY: Nagle off"),
      boolean("tcp.delayed_ack", true, "delayed ACKs as Linux does them; false: ACK every segment"),
      boolean("tcp.sack", true,
              "net.ipv4.tcp_sack and tcp_dsack (Linux 2.4's default: on): SACK and D-SACK blocks, a sender that "
              "resends only what its scoreboard counts lost and undoes a recovery its D-SACKs show needless; "
              "false: NewReno"),
      boolean("tcp.low_latency", false,
              "smp: net.ipv4.tcp_low_latency. false (Linux 2.4's default): a reader blocked in recvmsg gets "
              "its segments on the prequeue and runs their TCP processing itself; true: the bottom half does"),
      integer("tcp.initiator_socket_buffer_bytes", 131072, "initiator SO_SNDBUF and SO_RCVBUF, bytes",
              kMinSocketBuffer, kMaxSocketBuffer),
      integer("tcp.target_socket_buffer_bytes", 131072,
              "target SO_SNDBUF and SO_RCVBUF, bytes (the paper's targets: 128 KB)", kMinSocketBuffer,
              kMaxSocketBuffer),
      enumeration("workload.type", "iometer", {"bulk", "iometer"},
                  "bulk: netperf-like TCP stream per NIC; iometer: dynamo-like block I/O over iSCSI"),
      enumeration("workload.direction", "to_target", {"to_target", "from_target"}, "bulk: which way data flows"),
      integer("workload.bulk_write_bytes", 65536, "bulk: bytes per application send() call", 1, kMaxIoBytes),
      enumeration("workload.op", "read", {"read", "write"}, "iometer: I/O operation"),
      integer("workload.request_bytes", 65536, "iometer: I/O size, bytes (whole 512-byte blocks)", 512, kMaxIoBytes,
              kBlockBytes),
      integer("workload.outstanding_per_worker", 8, "iometer: outstanding I/Os per worker (a Linux host queues them in glibc's AIO: one at a time in the kernel)", 1, kMaxOutstanding),
      integer("workload.workers", 2, "iometer: dynamo workers, each with its own open raw device", 1, kMaxWorkers),
      boolean("workload.sequential", true, "iometer: sequential (true) or random (false) offsets"),
      boolean("workload.readback", true,
              "iometer writes: after the measured window, read back everything written and check it"),
      integer("target.lun_bytes", 67108864, "RAM-disk LUN size per target, bytes (whole 512-byte blocks)", kBlockBytes,
              kMaxLunBytes, kBlockBytes),
      string("target.ramdisk_model", "linux-2.4-rd",
             "the target machines' timing parameter set under models/params/disk/: linux-2.4-rd (a RAM disk's "
             "and the target's per-command work; its network stack not charged), linux-2.4-rd-xeon-stack (the "
             "same with each TCP segment's stack work charged on two CPUs, as a 2.4 GHz Xeon's: results.json's "
             "targets[i].cpu_busy_pct shows their load)"),
      string("target.nic_driver", "initiator",
             "the interrupt moderation the target machines' e1000 driver programs: initiator (as nics.* "
             "programs the initiator's NICs), or a driver's parameter set under models/params/driver/: "
             "e1000-4.1.7 (a 2.4.18 distribution's: packet timers alone, no throttle), e1000-5.x"),
      integer("target.commands_at_once", 0,
              "commands each target session works on at once (R2Ts, execution); the rest wait in order. "
              "0: all it accepts; the paper's targets: 1",
              0, kMax16),
      integer("iscsi.sessions_per_target", 1, "iSCSI sessions (one TCP connection each) per target, over its NIC",
              1, kMaxSessions),
      boolean("iscsi.immediate_data", true, "ImmediateData offered/accepted by both sides"),
      boolean("iscsi.initial_r2t", true, "InitialR2T: Yes forbids unsolicited Data-Out beyond immediate data"),
      integer("iscsi.first_burst_bytes", 65536, "FirstBurstLength, bytes", kMinSegment, kMaxSegment),
      integer("iscsi.max_burst_bytes", 262144, "MaxBurstLength, bytes", kMinSegment, kMaxSegment),
      integer("iscsi.max_recv_data_segment_bytes", 8192,
              "MaxRecvDataSegmentLength both sides declare, bytes (Data-In and Data-Out PDU size)", kMinSegment,
              kMaxSegment),
      integer("iscsi.max_outstanding_r2t", 1, "MaxOutstandingR2T per command", 1, kMax16),
      boolean("iscsi.header_digest", false, "negotiate HeaderDigest=CRC32C"),
      boolean("iscsi.data_digest", false, "negotiate DataDigest=CRC32C"),
      boolean("iscsi.status_in_data_in", true, "target sends GOOD status in the last Data-In (phase collapse)"),
      integer("iscsi.command_window", 64, "commands a target accepts ahead of those completed (MaxCmdSN window)",
              1, kMax16),
      string("iscsi.chap_user", "", "CHAP user name the target requires; empty: no authentication"),
      string("iscsi.chap_secret", "", "CHAP secret of chap_user (both sides use it)"),
      enumeration("amp.host_wait", "sleep", {"sleep", "poll"},
                  "amp: how a host waits for events: sleep (woken by an IPI only when needed; the prototype) or "
                  "poll the event queue with its idle time"),
      enumeration("amp.wait", "one", {"one", "n"},
                  "amp: wait() reaps one event per wake-up (the prototype); n: wait_N wakes the host after "
                  "min(amp.wait_n, events outstanding) events (the paper's proposal)"),
      integer("amp.wait_n", 2, "amp: N of wait_N (amp.wait = n)", 1, kMaxOutstanding),
      enumeration("amp.completion", "rx_thread", {"rx_thread", "callback"},
                  "amp: events are handled by a receive thread (the prototype) or by an event callback in the "
                  "wake-up IPI (the paper's final version)"),
      enumeration("amp.tx_copy", "zero_copy", {"zero_copy", "copy"},
                  "amp: transmit from the pinned user pages (the prototype) or copy into kernel buffers first"),
      enumeration("amp.rx_copy", "ppe", {"ppe", "host"},
                  "amp: the PPE copies received payload into the host's pre-posted buffers (the prototype) or the "
                  "host copies it out of the socket buffers"),
      string("amp.rx_copy_path", "copy_to_user",
             "amp: catalog path of the receive copy routine (copy_to_user: 2.4's rep movl; copy_from_user: the "
             "transmit path's unrolled copy-and-checksum, csum_partial_copy_generic)"),
      enumeration("amp.flow_steering", "per_nic", {"per_nic", "per_connection"},
                  "amp with several PPEs: a NIC's connections all go to one PPE, or connections are spread over "
                  "PPEs round-robin (RSS-like)"),
      boolean("amp.ppe_timer_tick", true,
              "amp: the PPE still takes its local APIC timer tick (HZ=100): a module polling with interrupts "
              "enabled does (with them disabled the other CPU's TLB-flush IPIs would hang; amp-facts section 5)"),
      enumeration("amp.ppe_policy", "other", {"other", "fifo"},
                  "amp: the PPE thread's Linux 2.4 scheduling class: other (SCHED_OTHER, a kernel thread's "
                  "default: its time slice spent, 2.4's reschedule_idle picks its CPU to preempt when no host CPU "
                  "idles, and the IPI is wasted; amp-facts section 6) or fifo (SCHED_FIFO: never picked)"),
      string("amp.code_paths", "eta-amp", "amp: catalog of AMP-only code paths under models/params/paths/, added to "
                                          "host.code_paths"),
      string("amp.queues", "eta-queues", "amp: host-PPE queue geometry under models/params/amp/"),
      integer("run.seed", 1, "seed of every random choice (faults, initial sequence numbers)", 0, kMaxSeed),
      number("run.warmup_s", 0.05, "simulated seconds before the measured window", 0, std::nullopt),
      number("run.duration_s", 0.5, "measured window, simulated seconds", 0, std::nullopt, true),
  };
}

}  // namespace

const std::vector<KeySpec>& schema_keys() {
  static const std::vector<KeySpec> keys = build();
  return keys;
}

const KeySpec* find_key(const std::string& path) {
  for (const KeySpec& k : schema_keys())
    if (k.path == path) return &k;
  return nullptr;
}

std::vector<std::string> allowed_children(const std::string& prefix) {
  std::set<std::string> names;
  const std::string head = prefix.empty() ? "" : prefix + ".";
  for (const KeySpec& k : schema_keys()) {
    if (k.path.compare(0, head.size(), head) != 0) continue;
    const std::string rest = k.path.substr(head.size());
    names.insert(rest.substr(0, rest.find('.')));
  }
  return {names.begin(), names.end()};
}

bool is_section(const std::string& path) { return find_key(path) == nullptr && !allowed_children(path).empty(); }

nlohmann::json default_document() {
  json doc = json::object();
  for (const KeySpec& k : schema_keys()) {
    if (k.path == "extends") continue;
    doc[json::json_pointer("/" + [&] {
      std::string p = k.path;
      std::replace(p.begin(), p.end(), '.', '/');
      return p;
    }())] = k.default_value;
  }
  return doc;
}

std::string type_name(KeyType t) {
  switch (t) {
    case KeyType::Number: return "a number";
    case KeyType::Integer: return "an integer";
    case KeyType::Boolean: return "true or false";
    case KeyType::String: return "a string";
    case KeyType::Enum: return "one of the allowed strings";
  }
  return "?";
}

}  // namespace iscsim::scenario
