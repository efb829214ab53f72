#pragma once
// The operational parameters in force after login (RFC 7143 section 13), typed, and the keys a
// side offers for them.
#include <cstdint>
#include <map>
#include <string>

#include "sim/stack/iscsi/PduCodec.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {

enum class Role { Initiator, Target };

// What one side wants or supports; the defaults are RFC 7143's.
struct OperationalPrefs {
  bool header_digest = false;  // offer/accept CRC32C (initiator: prefer it; target: support it)
  bool data_digest = false;
  bool initial_r2t = true;
  bool immediate_data = true;
  std::uint32_t max_recv_data_segment_length = 8192;
  std::uint32_t max_burst_length = 262144;
  std::uint32_t first_burst_length = 65536;
  std::uint32_t max_outstanding_r2t = 1;
  std::uint32_t max_connections = 1;
  std::uint32_t error_recovery_level = 0;
  std::uint32_t default_time2wait = 2;
  std::uint32_t default_time2retain = 20;

  // Our value for each operational key ("CRC32C,None"-style lists for the digests).
  KeyValues keys() const;
};

struct SessionParams {
  std::uint32_t initiator_max_recv_data_segment = 8192;  // the target sends PDUs no longer than this
  std::uint32_t target_max_recv_data_segment = 8192;     // the initiator sends PDUs no longer than this
  std::uint32_t max_burst_length = 262144;
  std::uint32_t first_burst_length = 65536;
  bool initial_r2t = true;
  bool immediate_data = true;
  std::uint32_t max_outstanding_r2t = 1;
  std::uint32_t max_connections = 1;
  bool data_pdu_in_order = true;
  bool data_sequence_in_order = true;
  std::uint32_t error_recovery_level = 0;
  std::uint32_t default_time2wait = 2;
  std::uint32_t default_time2retain = 20;
  DigestSettings digests;

  // From negotiated values (key → value) and the two sides' declared MaxRecvDataSegmentLength.
  static SessionParams from(const std::map<std::string, std::string>& negotiated, std::uint32_t initiator_mrdsl,
                            std::uint32_t target_mrdsl);
};

}  // namespace iscsim::stack::iscsi
