#pragma once
// Builders for the Full Feature Phase PDUs (RFC 7143 section 11), so both ends and the tests
// lay out each opcode one way.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/stack/iscsi/PduCodec.hpp"
#include "sim/stack/iscsi/PduFields.hpp"

namespace iscsim::stack::iscsi {

enum class DataDirection { None, Read, Write };

// The sequence numbers a target PDU carries.
struct TargetSn {
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
};

struct ScsiCommandFields {
  std::uint64_t lun = 0;
  std::uint32_t itt = 0;
  std::uint32_t expected_length = 0;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  DataDirection direction = DataDirection::None;
  bool final = true;  // no unsolicited Data-Out follows
  std::array<std::uint8_t, bhs::kCdbBytes> cdb{};
};
Pdu scsi_command(const ScsiCommandFields& f, const std::uint8_t* immediate, std::size_t immediate_len);

// One Data-In or Data-Out PDU carrying data[offset, offset+len).
struct DataFields {
  std::uint64_t lun = 0;
  std::uint32_t itt = 0;
  std::uint32_t ttt = kReservedTag;
  std::uint32_t data_sn = 0;
  std::uint32_t offset = 0;
  bool final = false;
};
// Without data, the header alone, for PduChannel::send to encode with the data where it lies.
Pdu data_out_pdu(const DataFields& f, std::uint32_t exp_stat_sn, const std::uint8_t* data = nullptr, std::size_t len = 0);
Pdu data_in_pdu(const DataFields& f, const TargetSn& sn, const std::uint8_t* data = nullptr, std::size_t len = 0);
// Marks a Data-In as carrying the command's status (S bit) with its residual.
void set_data_in_status(Pdu& pdu, std::uint8_t status, std::uint8_t residual_flags, std::uint32_t residual);

Pdu r2t(std::uint64_t lun, std::uint32_t itt, std::uint32_t ttt, const TargetSn& sn, std::uint32_t r2t_sn,
        std::uint32_t offset, std::uint32_t length);

struct ResponseFields {
  std::uint32_t itt = 0;
  std::uint8_t response = scsi_rsp::kCompleted;
  std::uint8_t status = 0;
  std::uint8_t residual_flags = 0;
  std::uint32_t residual = 0;
  std::uint32_t exp_data_sn = 0;
};
Pdu scsi_response(const ResponseFields& f, const TargetSn& sn, const std::vector<std::uint8_t>& sense);

Pdu nop_out(std::uint32_t itt, std::uint32_t ttt, std::uint32_t cmd_sn, std::uint32_t exp_stat_sn);
Pdu nop_in(std::uint32_t itt, std::uint32_t ttt, std::uint64_t lun, const TargetSn& sn, std::vector<std::uint8_t> data);
Pdu logout_request(std::uint32_t itt, std::uint8_t reason, std::uint16_t cid, std::uint32_t cmd_sn,
                   std::uint32_t exp_stat_sn);
Pdu logout_response(std::uint32_t itt, std::uint8_t response, const TargetSn& sn);
Pdu task_mgmt_request(std::uint32_t itt, std::uint8_t function, std::uint64_t lun, std::uint32_t referenced_tag,
                      std::uint32_t cmd_sn, std::uint32_t exp_stat_sn);
Pdu task_mgmt_response(std::uint32_t itt, std::uint8_t response, const TargetSn& sn);
Pdu text_response(std::uint32_t itt, const TargetSn& sn, std::vector<std::uint8_t> data);
Pdu reject_pdu(std::uint8_t reason, const Bhs& rejected, const TargetSn& sn);

}  // namespace iscsim::stack::iscsi
