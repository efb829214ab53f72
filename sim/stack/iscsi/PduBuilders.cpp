#include "sim/stack/iscsi/PduBuilders.hpp"

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::iscsi {

namespace {

void put_target_sn(Bhs& b, const TargetSn& sn) {
  b.set_u32(bhs::kStatSn, sn.stat_sn);
  b.set_u32(bhs::kExpCmdSn, sn.exp_cmd_sn);
  b.set_u32(bhs::kMaxCmdSn, sn.max_cmd_sn);
}

Pdu with_data(Pdu p, const std::uint8_t* data, std::size_t len) {
  if (len > 0) p.data.assign(data, data + len);
  return p;
}

}  // namespace

Pdu scsi_command(const ScsiCommandFields& f, const std::uint8_t* immediate, std::size_t immediate_len) {
  Pdu p;
  p.bhs.set_opcode(Opcode::ScsiCommand);
  std::uint8_t flags = scsi_cmd::kAttrSimple;
  if (f.final) flags |= bhs::kFinalBit;
  if (f.direction == DataDirection::Read) flags |= scsi_cmd::kRead;
  if (f.direction == DataDirection::Write) flags |= scsi_cmd::kWrite;
  p.bhs.set_u8(bhs::kFlags, flags);
  p.bhs.set_u64(bhs::kLun, f.lun);
  p.bhs.set_itt(f.itt);
  p.bhs.set_u32(bhs::kExpectedDataLength, f.expected_length);
  p.bhs.set_u32(bhs::kCmdSn, f.cmd_sn);
  p.bhs.set_u32(bhs::kExpStatSn, f.exp_stat_sn);
  for (std::size_t i = 0; i < bhs::kCdbBytes; ++i) p.bhs.set_u8(bhs::kCdb + i, f.cdb[i]);
  return with_data(std::move(p), immediate, immediate_len);
}

namespace {
Pdu data_pdu(Opcode op, const DataFields& f, const std::uint8_t* data, std::size_t len) {
  Pdu p;
  p.bhs.set_opcode(op);
  p.bhs.set_final(f.final);
  p.bhs.set_u64(bhs::kLun, f.lun);
  p.bhs.set_itt(f.itt);
  p.bhs.set_u32(bhs::kTtt, f.ttt);
  p.bhs.set_u32(bhs::kDataSn, f.data_sn);
  p.bhs.set_u32(bhs::kBufferOffset, f.offset);
  return with_data(std::move(p), data, len);
}
}  // namespace

Pdu data_out_pdu(const DataFields& f, std::uint32_t exp_stat_sn, const std::uint8_t* data, std::size_t len) {
  Pdu p = data_pdu(Opcode::DataOut, f, data, len);
  p.bhs.set_u32(bhs::kExpStatSn, exp_stat_sn);
  return p;
}

Pdu data_in_pdu(const DataFields& f, const TargetSn& sn, const std::uint8_t* data, std::size_t len) {
  Pdu p = data_pdu(Opcode::DataIn, f, data, len);
  // StatSN counts only with the S bit; the window fields always do.
  put_target_sn(p.bhs, sn);
  return p;
}

void set_data_in_status(Pdu& pdu, std::uint8_t status, std::uint8_t residual_flags, std::uint32_t residual) {
  pdu.bhs.set_u8(bhs::kFlags,
                 static_cast<std::uint8_t>(pdu.bhs.u8(bhs::kFlags) | bhs::kFinalBit | data_in::kStatusPresent |
                                           residual_flags));
  pdu.bhs.set_u8(data_in::kStatus, status);
  pdu.bhs.set_u32(bhs::kResidualCount, residual);
}

Pdu r2t(std::uint64_t lun, std::uint32_t itt, std::uint32_t ttt, const TargetSn& sn, std::uint32_t r2t_sn,
        std::uint32_t offset, std::uint32_t length) {
  Pdu p;
  p.bhs.set_opcode(Opcode::R2t);
  p.bhs.set_final(true);
  p.bhs.set_u64(bhs::kLun, lun);
  p.bhs.set_itt(itt);
  p.bhs.set_u32(bhs::kTtt, ttt);
  put_target_sn(p.bhs, sn);
  p.bhs.set_u32(bhs::kDataSn, r2t_sn);
  p.bhs.set_u32(bhs::kBufferOffset, offset);
  p.bhs.set_u32(bhs::kDesiredLength, length);
  return p;
}

Pdu scsi_response(const ResponseFields& f, const TargetSn& sn, const std::vector<std::uint8_t>& sense) {
  Pdu p;
  p.bhs.set_opcode(Opcode::ScsiResponse);
  p.bhs.set_u8(bhs::kFlags, static_cast<std::uint8_t>(bhs::kFinalBit | f.residual_flags));
  p.bhs.set_u8(scsi_rsp::kResponse, f.response);
  p.bhs.set_u8(scsi_rsp::kStatus, f.status);
  p.bhs.set_itt(f.itt);
  put_target_sn(p.bhs, sn);
  p.bhs.set_u32(scsi_rsp::kExpDataSn, f.exp_data_sn);
  p.bhs.set_u32(bhs::kResidualCount, f.residual);
  if (!sense.empty()) {
    // Sense data travels behind a two-byte SenseLength (section 11.4.7.2).
    p.data.resize(scsi_rsp::kSenseLengthBytes + sense.size());
    store_be<scsi_rsp::kSenseLengthBytes>(p.data.data(), sense.size());
    std::copy(sense.begin(), sense.end(), p.data.begin() + scsi_rsp::kSenseLengthBytes);
  }
  return p;
}

Pdu nop_out(std::uint32_t itt, std::uint32_t ttt, std::uint32_t cmd_sn, std::uint32_t exp_stat_sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::NopOut, true);
  p.bhs.set_final(true);
  p.bhs.set_itt(itt);
  p.bhs.set_u32(bhs::kTtt, ttt);
  p.bhs.set_u32(bhs::kCmdSn, cmd_sn);
  p.bhs.set_u32(bhs::kExpStatSn, exp_stat_sn);
  return p;
}

Pdu nop_in(std::uint32_t itt, std::uint32_t ttt, std::uint64_t lun, const TargetSn& sn, std::vector<std::uint8_t> data) {
  Pdu p;
  p.bhs.set_opcode(Opcode::NopIn);
  p.bhs.set_final(true);
  p.bhs.set_u64(bhs::kLun, lun);
  p.bhs.set_itt(itt);
  p.bhs.set_u32(bhs::kTtt, ttt);
  put_target_sn(p.bhs, sn);
  p.data = std::move(data);
  return p;
}

Pdu logout_request(std::uint32_t itt, std::uint8_t reason, std::uint16_t cid, std::uint32_t cmd_sn,
                   std::uint32_t exp_stat_sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::LogoutRequest, true);
  p.bhs.set_u8(bhs::kFlags, static_cast<std::uint8_t>(bhs::kFinalBit | (reason & logout::kReasonMask)));
  p.bhs.set_itt(itt);
  p.bhs.set_u16(logout::kCid, cid);
  p.bhs.set_u32(bhs::kCmdSn, cmd_sn);
  p.bhs.set_u32(bhs::kExpStatSn, exp_stat_sn);
  return p;
}

Pdu logout_response(std::uint32_t itt, std::uint8_t response, const TargetSn& sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::LogoutResponse);
  p.bhs.set_final(true);
  p.bhs.set_u8(logout::kResponse, response);
  p.bhs.set_itt(itt);
  put_target_sn(p.bhs, sn);
  return p;
}

Pdu task_mgmt_request(std::uint32_t itt, std::uint8_t function, std::uint64_t lun, std::uint32_t referenced_tag,
                      std::uint32_t cmd_sn, std::uint32_t exp_stat_sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::TaskMgmtRequest, true);
  p.bhs.set_u8(bhs::kFlags, static_cast<std::uint8_t>(bhs::kFinalBit | (function & task_mgmt::kFunctionMask)));
  p.bhs.set_u64(bhs::kLun, lun);
  p.bhs.set_itt(itt);
  p.bhs.set_u32(task_mgmt::kReferencedTaskTag, referenced_tag);
  p.bhs.set_u32(bhs::kCmdSn, cmd_sn);
  p.bhs.set_u32(bhs::kExpStatSn, exp_stat_sn);
  return p;
}

Pdu task_mgmt_response(std::uint32_t itt, std::uint8_t response, const TargetSn& sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::TaskMgmtResponse);
  p.bhs.set_final(true);
  p.bhs.set_u8(task_mgmt::kResponse, response);
  p.bhs.set_itt(itt);
  put_target_sn(p.bhs, sn);
  return p;
}

Pdu text_response(std::uint32_t itt, const TargetSn& sn, std::vector<std::uint8_t> data) {
  Pdu p;
  p.bhs.set_opcode(Opcode::TextResponse);
  p.bhs.set_final(true);
  p.bhs.set_itt(itt);
  p.bhs.set_u32(bhs::kTtt, kReservedTag);
  put_target_sn(p.bhs, sn);
  p.data = std::move(data);
  return p;
}

Pdu reject_pdu(std::uint8_t reason, const Bhs& rejected, const TargetSn& sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::Reject);
  p.bhs.set_final(true);
  p.bhs.set_u8(reject::kReason, reason);
  p.bhs.set_itt(kReservedTag);
  put_target_sn(p.bhs, sn);
  p.data.assign(rejected.bytes().begin(), rejected.bytes().end());
  return p;
}

}  // namespace iscsim::stack::iscsi
