#include "sim/stack/iscsi/SessionParams.hpp"

#include <charconv>

namespace iscsim::stack::iscsi {

namespace {

const char* yes_no(bool b) { return b ? "Yes" : "No"; }

// The initiator states its preference; a target that supports digests accepts either.
std::string digest_list(bool want) { return want ? "CRC32C,None" : "None"; }

std::uint32_t number_or(const std::map<std::string, std::string>& m, const char* key, std::uint32_t fallback) {
  const auto it = m.find(key);
  if (it == m.end()) return fallback;
  std::uint32_t v = 0;
  const auto* end = it->second.data() + it->second.size();
  auto [p, ec] = std::from_chars(it->second.data(), end, v);
  return ec == std::errc() && p == end ? v : fallback;
}

bool bool_or(const std::map<std::string, std::string>& m, const char* key, bool fallback) {
  const auto it = m.find(key);
  if (it == m.end() || (it->second != "Yes" && it->second != "No")) return fallback;
  return it->second == "Yes";
}

}  // namespace

KeyValues OperationalPrefs::keys() const {
  return {
      {"HeaderDigest", digest_list(header_digest)},
      {"DataDigest", digest_list(data_digest)},
      {"MaxConnections", std::to_string(max_connections)},
      {"InitialR2T", yes_no(initial_r2t)},
      {"ImmediateData", yes_no(immediate_data)},
      {"MaxRecvDataSegmentLength", std::to_string(max_recv_data_segment_length)},
      {"MaxBurstLength", std::to_string(max_burst_length)},
      {"FirstBurstLength", std::to_string(first_burst_length)},
      {"DefaultTime2Wait", std::to_string(default_time2wait)},
      {"DefaultTime2Retain", std::to_string(default_time2retain)},
      {"MaxOutstandingR2T", std::to_string(max_outstanding_r2t)},
      {"DataPDUInOrder", "Yes"},
      {"DataSequenceInOrder", "Yes"},
      {"ErrorRecoveryLevel", std::to_string(error_recovery_level)},
  };
}

SessionParams SessionParams::from(const std::map<std::string, std::string>& m, std::uint32_t initiator_mrdsl,
                                  std::uint32_t target_mrdsl) {
  SessionParams p;
  p.initiator_max_recv_data_segment = initiator_mrdsl;
  p.target_max_recv_data_segment = target_mrdsl;
  p.max_burst_length = number_or(m, "MaxBurstLength", p.max_burst_length);
  p.first_burst_length = number_or(m, "FirstBurstLength", p.first_burst_length);
  p.initial_r2t = bool_or(m, "InitialR2T", p.initial_r2t);
  p.immediate_data = bool_or(m, "ImmediateData", p.immediate_data);
  p.max_outstanding_r2t = number_or(m, "MaxOutstandingR2T", p.max_outstanding_r2t);
  p.max_connections = number_or(m, "MaxConnections", p.max_connections);
  p.data_pdu_in_order = bool_or(m, "DataPDUInOrder", p.data_pdu_in_order);
  p.data_sequence_in_order = bool_or(m, "DataSequenceInOrder", p.data_sequence_in_order);
  p.error_recovery_level = number_or(m, "ErrorRecoveryLevel", p.error_recovery_level);
  p.default_time2wait = number_or(m, "DefaultTime2Wait", p.default_time2wait);
  p.default_time2retain = number_or(m, "DefaultTime2Retain", p.default_time2retain);
  const auto hd = m.find("HeaderDigest");
  const auto dd = m.find("DataDigest");
  p.digests.header = hd != m.end() && hd->second == "CRC32C";
  p.digests.data = dd != m.end() && dd->second == "CRC32C";
  // FirstBurstLength may not exceed MaxBurstLength (section 13.14).
  if (p.first_burst_length > p.max_burst_length) p.first_burst_length = p.max_burst_length;
  return p;
}

}  // namespace iscsim::stack::iscsi
