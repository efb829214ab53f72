#pragma once
// iSCSI opcodes (RFC 7143 section 11.2.1.2) and their names as results.json reports them.
#include <cstdint>
#include <optional>
#include <string_view>

namespace iscsim::stack::iscsi {

enum class Opcode : std::uint8_t {
  NopOut = 0x00,
  ScsiCommand = 0x01,
  TaskMgmtRequest = 0x02,
  LoginRequest = 0x03,
  TextRequest = 0x04,
  DataOut = 0x05,
  LogoutRequest = 0x06,
  Snack = 0x10,
  NopIn = 0x20,
  ScsiResponse = 0x21,
  TaskMgmtResponse = 0x22,
  LoginResponse = 0x23,
  TextResponse = 0x24,
  DataIn = 0x25,
  LogoutResponse = 0x26,
  R2t = 0x31,
  AsyncMessage = 0x32,
  Reject = 0x3F,
};

// The opcode for a 6-bit value, if RFC 7143 defines one.
std::optional<Opcode> opcode_from(std::uint8_t value);
std::string_view opcode_name(Opcode op);
// Target opcodes have bit 5 set (RFC 7143 section 11.2.1.2).
inline bool is_target_opcode(Opcode op) { return (static_cast<std::uint8_t>(op) & 0x20) != 0; }

}  // namespace iscsim::stack::iscsi
