#pragma once
// Timing of a RAM-disk LUN behind a software target on a two-CPU Linux host: a thread CPU runs
// the target's threads (each command's hand-offs and RAM-disk work, the socket calls' copies and
// per-segment work) and an interrupt CPU its network stack's interrupt side (the NIC's receive
// and transmit completions, IP and TCP's receive work); each takes its work in arrival order.
#include <cstdint>

#include "models/common/ParamSet.hpp"
#include "models/common/Time.hpp"

namespace iscsim::models {

struct RamDiskParams {
  Picos per_command = 0;
  std::uint32_t block_bytes = 0;
  Picos per_block = 0;
  double copy_bytes_per_s = 0;
  // The network stack's work per TCP segment of payload (segment_payload_bytes), by CPU.
  std::uint32_t segment_payload_bytes = 0;
  Picos rx_interrupt_per_segment = 0;
  Picos rx_thread_per_segment = 0;
  Picos tx_thread_per_segment = 0;
  Picos tx_interrupt_per_segment = 0;

  static RamDiskParams from(const ParamSet& p);
};

class RamDisk {
 public:
  explicit RamDisk(const RamDiskParams& params) : params_(params) {}
  // A command moving `bytes` that arrives at `ready`; returns when its data is ready.
  Picos serve(Picos ready, std::uint64_t bytes);
  Picos service_time(std::uint64_t bytes) const;
  // `bytes` of payload arrived at `ready`: the interrupt CPU takes them through the stack, then
  // the thread CPU reads them out of the socket; returns when the target's thread has them.
  Picos receive(Picos ready, std::uint64_t bytes);
  // The target's thread wrote `bytes` into its socket at `ready`: its sendmsg work on the thread
  // CPU, the transmit completions and ACKs on the interrupt CPU. Returns when the thread is done.
  Picos send(Picos ready, std::uint64_t bytes);
  Picos busy_total() const { return thread_.busy_total; }
  Picos interrupt_busy_total() const { return interrupt_.busy_total; }
  std::uint64_t commands() const { return commands_; }

 private:
  struct Cpu {
    Picos free_at = 0;
    Picos busy_total = 0;
    // Work of `duration` taken no earlier than `ready`, after what came before; returns its end
    // (`ready` for none).
    Picos take(Picos ready, Picos duration);
  };
  // Segments of payload `bytes` comes in: a partly filled one costs as much as a full one.
  std::uint64_t segments(std::uint64_t bytes) const;

  RamDiskParams params_;
  Cpu thread_;
  Cpu interrupt_;
  std::uint64_t commands_ = 0;
};

}  // namespace iscsim::models
