#include "sim/stack/iscsi/Opcode.hpp"

namespace iscsim::stack::iscsi {

std::optional<Opcode> opcode_from(std::uint8_t value) {
  switch (static_cast<Opcode>(value)) {
    case Opcode::NopOut:
    case Opcode::ScsiCommand:
    case Opcode::TaskMgmtRequest:
    case Opcode::LoginRequest:
    case Opcode::TextRequest:
    case Opcode::DataOut:
    case Opcode::LogoutRequest:
    case Opcode::Snack:
    case Opcode::NopIn:
    case Opcode::ScsiResponse:
    case Opcode::TaskMgmtResponse:
    case Opcode::LoginResponse:
    case Opcode::TextResponse:
    case Opcode::DataIn:
    case Opcode::LogoutResponse:
    case Opcode::R2t:
    case Opcode::AsyncMessage:
    case Opcode::Reject:
      return static_cast<Opcode>(value);
  }
  return std::nullopt;
}

std::string_view opcode_name(Opcode op) {
  switch (op) {
    case Opcode::NopOut: return "nop_out";
    case Opcode::ScsiCommand: return "scsi_command";
    case Opcode::TaskMgmtRequest: return "task_mgmt_request";
    case Opcode::LoginRequest: return "login_request";
    case Opcode::TextRequest: return "text_request";
    case Opcode::DataOut: return "data_out";
    case Opcode::LogoutRequest: return "logout_request";
    case Opcode::Snack: return "snack";
    case Opcode::NopIn: return "nop_in";
    case Opcode::ScsiResponse: return "scsi_response";
    case Opcode::TaskMgmtResponse: return "task_mgmt_response";
    case Opcode::LoginResponse: return "login_response";
    case Opcode::TextResponse: return "text_response";
    case Opcode::DataIn: return "data_in";
    case Opcode::LogoutResponse: return "logout_response";
    case Opcode::R2t: return "r2t";
    case Opcode::AsyncMessage: return "async_message";
    case Opcode::Reject: return "reject";
  }
  return "unknown";
}

}  // namespace iscsim::stack::iscsi
