#include "sim/results/TcpReport.hpp"
#include "sim/results/Units.hpp"

namespace iscsim::world {

using nlohmann::json;

json tcp_stats(const stack::tcp::Stats& s) {
  return json{{"segments_sent", s.segments_sent},
              {"segments_received", s.segments_received},
              {"data_segments_sent", s.data_segments_sent},
              {"bytes_sent", s.bytes_sent},
              {"bytes_retransmitted", s.bytes_retransmitted},
              {"retransmissions", s.retransmissions},
              {"fast_retransmits", s.fast_retransmits},
              {"dsacks_received", s.dsacks_received},
              {"recoveries_undone", s.recoveries_undone},
              {"timeouts", s.timeouts},
              {"dup_acks_received", s.dup_acks_received},
              {"acks_sent", s.acks_sent},
              {"delayed_acks_sent", s.delayed_acks_sent},
              {"retransmit_timer_sets", s.retransmit_timer_sets},
              {"delack_timer_sets", s.delack_timer_sets},
              {"window_updates_sent", s.window_updates_sent},
              {"out_of_order_segments", s.out_of_order_segments},
              {"duplicate_segments_received", s.duplicate_segments_received},
              {"segments_beyond_window", s.segments_beyond_window},
              {"zero_window_probes", s.zero_window_probes},
              {"bytes_delivered", s.bytes_delivered}};
}

json connection_json(const TcpEndpoint& ep, double window_s, std::uint64_t window_bytes) {
  json c = tcp_stats(ep.connection().stats());
  c["name"] = ep.name();
  c["local"] = ep.address().src_ip.to_string() + ":" + std::to_string(ep.local_port());
  c["remote"] = ep.address().dst_ip.to_string() + ":" + std::to_string(ep.remote_port());
  c["goodput_MBps"] = static_cast<double>(window_bytes) / window_s / kBytesPerMB;
  return c;
}

void add_tcp_totals(json& total, const json& connection) {
  for (auto& [k, v] : connection.items())
    if (v.is_number_unsigned()) total[k] = total[k].get<std::uint64_t>() + v.get<std::uint64_t>();
}

}  // namespace iscsim::world
