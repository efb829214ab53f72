#pragma once
// A resolved, validated scenario: the typed view the simulator reads. The JSON it came from
// (after `extends`, defaults and --set overrides) is kept beside it for results.json.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace iscsim::scenario {

enum class Architecture { Ideal, Smp, Amp };
enum class WorkloadType { Bulk, Iometer };
enum class BulkDirection { ToTarget, FromTarget };
enum class IoOp { Read, Write };

struct CpuSpec {
  std::string model;  // parameter set name under models/params/cpu/
  double frequency_ghz = 0;
};

enum class IrqRouting { AllToCpu0, RoundRobin, PerNic };
// host.profiler's value for no sampling profiler.
inline constexpr const char* kNoProfiler = "none";
// target.nic_driver's value for "the targets' NICs programmed as the initiator's (nics.*)".
inline constexpr const char* kSameNicDriver = "initiator";
// host.code_path_patch's value for the catalog's own code.
inline constexpr const char* kNoCodePathPatch = "none";

struct HostSpec {
  Architecture architecture = Architecture::Ideal;
  int cores = 0;
  int ppes = 0;
  CpuSpec cpu;
  std::string cache_model;     // parameter set under models/params/cache/
  std::string code_paths;      // catalog under models/params/paths/
  std::string code_path_patch;  // fixed counts under models/params/patches/, or kNoCodePathPatch
  std::string kernel_objects;  // parameter set under models/params/kernel/
  std::uint64_t code_layout = 0;  // placement of the paths' code: 0 the default (the fit's)
  IrqRouting irq_routing = IrqRouting::AllToCpu0;
  bool idle_poll = false;  // host.idle: Linux 2.4's idle=poll (spin on need_resched) instead of hlt
  std::string profiler;    // parameter set under models/params/profiler/, or kNoProfiler
};

struct NicSpec {
  int count = 0;
  std::string model;  // parameter set name under models/params/nic/
  double link_gbps = 0;
  int mtu_bytes = 0;
  int tx_ring = 0;
  int rx_ring = 0;
  double itr_ints_per_s = 0;  // 0 disables the throttle
  double rdtr_us = 0;         // receive interrupt delay (RDTR), microseconds
  double radv_us = 0;         // receive absolute delay (RADV)
  double tidv_us = 0;         // transmit interrupt delay (TIDV)
  double tadv_us = 0;         // transmit absolute delay (TADV)
};

struct PciSpec {
  std::string model;  // parameter set name under models/params/pci/
  bool shared = false;  // true: every NIC on one bus segment; false: a segment per NIC
};

struct LinkSpec {
  double latency_us = 0;  // one-way propagation plus PHY latency
  double loss_rate = 0;
  double corrupt_rate = 0;
  double reorder_rate = 0;
  double reorder_delay_us = 0;
  double duplicate_rate = 0;
  double silent_corrupt_rate = 0;  // payload damaged with valid checksums (past the NIC's checksum)
};

struct TcpSpec {
  bool timestamps = true;
  bool nodelay = true;
  bool delayed_ack = true;
  bool sack = true;  // SACK and D-SACK (net.ipv4.tcp_sack, tcp_dsack)
  bool low_latency = false;  // smp: net.ipv4.tcp_low_latency (false: the prequeue)
  int initiator_socket_buffer_bytes = 0;
  int target_socket_buffer_bytes = 0;
};

struct WorkloadSpec {
  WorkloadType type = WorkloadType::Bulk;
  BulkDirection direction = BulkDirection::ToTarget;  // bulk only
  int bulk_write_bytes = 0;                           // bulk only: size of one application write
  IoOp op = IoOp::Read;                               // iometer only
  int request_bytes = 0;
  int outstanding_per_worker = 0;
  int workers = 0;
  bool sequential = true;
  bool readback = true;  // iometer writes: read back and check after the window
};

struct TargetSpec {
  std::int64_t lun_bytes = 0;
  std::string ramdisk_model;  // parameter set name under models/params/disk/
  std::string nic_driver;     // set under models/params/driver/, or kSameNicDriver
  int commands_at_once = 0;   // commands each target session works on at once; 0: all it accepts
};

struct IscsiSpec {
  int sessions_per_target = 1;
  bool immediate_data = true;
  bool initial_r2t = true;
  int first_burst_bytes = 0;
  int max_burst_bytes = 0;
  int max_recv_data_segment_bytes = 0;
  int max_outstanding_r2t = 1;
  bool header_digest = false;
  bool data_digest = false;
  bool status_in_data_in = true;
  int command_window = 0;
  std::string chap_user;
  std::string chap_secret;
};

enum class HostWait { Sleep, Poll };
enum class AmpWait { One, N };
enum class AmpCompletion { RxThread, Callback };
enum class FlowSteering { PerNic, PerConnection };
enum class PpePolicy { Other, Fifo };  // the PPE thread's 2.4 scheduling class

// The AMP host's strategies (paper sections 3-4); the defaults are the paper's prototype.
struct AmpSpec {
  HostWait host_wait = HostWait::Sleep;
  AmpWait wait = AmpWait::One;
  int wait_n = 2;
  AmpCompletion completion = AmpCompletion::RxThread;
  bool tx_zero_copy = true;
  bool rx_copy_on_ppe = true;
  std::string rx_copy_path;  // catalog path of the receive copy routine
  FlowSteering flow_steering = FlowSteering::PerNic;
  bool ppe_timer_tick = true;
  PpePolicy ppe_policy = PpePolicy::Other;
  std::string code_paths;  // AMP-only catalog under models/params/paths/
  std::string queues;      // queue geometry under models/params/amp/
};

struct RunSpec {
  std::uint64_t seed = 0;
  double warmup_s = 0;
  double duration_s = 0;
};

struct Scenario {
  std::string name;
  std::string description;
  std::string source_file;  // the file it was read from, for messages
  HostSpec host;
  NicSpec nics;
  PciSpec pci;
  LinkSpec link;
  TcpSpec tcp;
  WorkloadSpec workload;
  TargetSpec target;
  IscsiSpec iscsi;
  AmpSpec amp;
  RunSpec run;
  nlohmann::json resolved;  // the full resolved JSON, written into results.json
};

}  // namespace iscsim::scenario
