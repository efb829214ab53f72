#pragma once
// Counters of one connection, as netstat -s and the results file report them.
#include <cstdint>

namespace iscsim::stack::tcp {

struct Stats {
  std::uint64_t segments_sent = 0;
  std::uint64_t segments_received = 0;
  std::uint64_t data_segments_sent = 0;  // new data, not retransmissions
  std::uint64_t bytes_sent = 0;          // new payload bytes
  std::uint64_t bytes_retransmitted = 0;
  std::uint64_t retransmissions = 0;  // segments sent again, for any reason
  std::uint64_t fast_retransmits = 0;  // loss recoveries entered: three duplicate ACKs, or SACKs
  std::uint64_t dsacks_received = 0;   // ACKs reporting a duplicate segment (RFC 2883)
  std::uint64_t recoveries_undone = 0;  // recoveries whose retransmissions D-SACKs showed needless
  std::uint64_t timeouts = 0;
  std::uint64_t dup_acks_received = 0;
  std::uint64_t acks_sent = 0;  // segments without data or SYN/FIN
  std::uint64_t delayed_acks_sent = 0;
  // Timer (re)arms, each a mod_timer in Linux 2.4: the retransmit timer set or restarted (by an
  // ACK of new data, a send into an empty flight, a timeout, a zero-window probe), and the
  // delayed-ACK timer set when an ACK is held back (tcp_send_delayed_ack).
  std::uint64_t retransmit_timer_sets = 0;
  std::uint64_t delack_timer_sets = 0;
  std::uint64_t window_updates_sent = 0;
  std::uint64_t out_of_order_segments = 0;
  std::uint64_t duplicate_segments_received = 0;
  std::uint64_t segments_beyond_window = 0;  // data past what we offered or can hold: dropped
  std::uint64_t zero_window_probes = 0;
  std::uint64_t bytes_delivered = 0;  // payload handed to the application in order
  std::uint64_t resets_received = 0;
};

}  // namespace iscsim::stack::tcp
