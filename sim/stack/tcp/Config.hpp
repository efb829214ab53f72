#pragma once
// Per-connection TCP settings. Defaults are Linux 2.4's (the paper's kernel); each names the
// kernel constant or RFC it comes from, so a scenario can change them knowingly.
#include <cstdint>

#include "sim/stack/common/Time.hpp"

namespace iscsim::stack::tcp {

// IPv4 and TCP headers without options (RFC 791, RFC 9293): MSS = MTU - 40.
inline constexpr std::uint32_t kIpv4TcpHeaderBytes = 40;
// The timestamps option as Linux aligns it on every segment: NOP, NOP, kind 8, length 10.
inline constexpr std::uint32_t kTimestampOptionBytes = 12;
// The SACK option as Linux aligns it: NOP, NOP, kind 5, length, then 8 bytes a block.
inline constexpr std::uint32_t kSackOptionBaseBytes = 4;
inline constexpr std::uint32_t kSackBlockBytes = 8;
// MSS assumed when the peer's SYN carries none (RFC 9293 section 3.7.1).
inline constexpr std::uint32_t kDefaultMss = 536;
// Largest window scale shift (RFC 7323 section 2.3).
inline constexpr std::uint8_t kMaxWindowShift = 14;

struct Config {
  std::uint32_t mtu_bytes = 1500;   // Ethernet MTU; MSS = MTU - IPv4 and TCP headers
  bool timestamps = true;           // RFC 7323 timestamps (sysctl tcp_timestamps=1)
  bool window_scaling = true;       // RFC 7323 window scale (sysctl tcp_window_scaling=1)
  bool sack = true;                 // RFC 2018 SACK with Linux's recovery (sysctl tcp_sack=1)
  bool dsack = true;                // RFC 2883 D-SACK (sysctl tcp_dsack=1)
  bool nodelay = true;              // TCP_NODELAY: no Nagle (iSCSI initiators set it)
  bool delayed_ack = true;          // delayed ACKs as Linux does them; false = ACK every segment
  std::uint32_t send_buffer_bytes = 65536;     // SO_SNDBUF
  std::uint32_t receive_buffer_bytes = 65536;  // SO_RCVBUF; the advertised window derives from it
  std::uint32_t initial_cwnd_segments = 2;     // RFC 2581 IW (Linux 2.4: 2)
  Nanos rto_initial = 3 * kNanosPerSecond;     // TCP_TIMEOUT_INIT (3*HZ)
  Nanos rto_min = 200 * kNanosPerMilli;        // TCP_RTO_MIN (HZ/5)
  Nanos rto_max = 120 * kNanosPerSecond;       // TCP_RTO_MAX (120*HZ)
  Nanos delack_min = 40 * kNanosPerMilli;      // TCP_DELACK_MIN (HZ/25)
  Nanos delack_max = 200 * kNanosPerMilli;     // TCP_DELACK_MAX (HZ/5)
  Nanos time_wait = 60 * kNanosPerSecond;      // TCP_TIMEWAIT_LEN
  std::uint32_t timestamp_hz = 100;            // TSval clock: jiffies, HZ=100 on i386 Linux 2.4
  std::uint32_t max_quickacks = 16;            // TCP_MAX_QUICKACKS
  std::uint32_t dupack_threshold = 3;          // RFC 5681 fast retransmit threshold; with SACK,
                                               // the initial reordering (sysctl tcp_reordering)
  std::uint32_t max_reordering = 127;          // TCP_MAX_REORDERING: the most reordering learnt
  std::uint32_t adv_win_scale = 2;             // sysctl tcp_adv_win_scale: window = space - space/2^n
  std::uint32_t max_backoffs = 15;             // tcp_retries2: give up after this many RTO backoffs
};

}  // namespace iscsim::stack::tcp
