#pragma once
// Opcode-specific BHS fields, flags and codes (RFC 7143 section 11), beyond the offsets every
// PDU shares (Bhs.hpp).
#include <cstddef>
#include <cstdint>

namespace iscsim::stack::iscsi {

inline constexpr std::uint32_t kReservedTag = 0xFFFFFFFF;  // ITT/TTT "no tag"

namespace login {
inline constexpr std::uint8_t kTransit = 0x80;
inline constexpr std::uint8_t kContinue = 0x40;
inline constexpr unsigned kCsgShift = 2;
inline constexpr std::uint8_t kStageMask = 0x03;
inline constexpr std::size_t kVersionMax = 2;
inline constexpr std::size_t kVersionActive = 3;  // Version-min in requests
inline constexpr std::size_t kIsid = 8;           // 6 bytes
inline constexpr std::size_t kIsidBytes = 6;
inline constexpr std::size_t kTsih = 14;
inline constexpr std::size_t kCid = 20;
inline constexpr std::size_t kStatusClass = 36;
inline constexpr std::size_t kStatusDetail = 37;
inline constexpr std::uint8_t kVersion = 0x00;  // the only version RFC 7143 defines
// Status classes and details (section 11.13.5).
inline constexpr std::uint8_t kSuccess = 0x00;
inline constexpr std::uint8_t kInitiatorError = 0x02;
inline constexpr std::uint8_t kTargetError = 0x03;
inline constexpr std::uint8_t kDetailNone = 0x00;
inline constexpr std::uint8_t kAuthenticationFailure = 0x01;
inline constexpr std::uint8_t kNotFound = 0x03;
inline constexpr std::uint8_t kMissingParameter = 0x07;
inline constexpr std::uint8_t kInvalidDuringLogin = 0x0B;
inline constexpr std::uint8_t kInitiatorErrorDetail = 0x00;
inline constexpr std::uint8_t kOutOfResources = 0x02;
}  // namespace login

// Login stages (CSG/NSG).
enum class Stage : std::uint8_t { Security = 0, Operational = 1, FullFeature = 3 };

namespace scsi_cmd {
inline constexpr std::uint8_t kRead = 0x40;
inline constexpr std::uint8_t kWrite = 0x20;
inline constexpr std::uint8_t kAttrMask = 0x07;
inline constexpr std::uint8_t kAttrSimple = 0x01;
}  // namespace scsi_cmd

namespace scsi_rsp {
inline constexpr std::size_t kResponse = 2;
inline constexpr std::size_t kStatus = 3;
inline constexpr std::size_t kExpDataSn = 36;
inline constexpr std::uint8_t kOverflow = 0x04;   // O
inline constexpr std::uint8_t kUnderflow = 0x02;  // U
inline constexpr std::uint8_t kCompleted = 0x00;  // command completed at target
inline constexpr std::uint8_t kTargetFailure = 0x01;
inline constexpr std::size_t kSenseLengthBytes = 2;
}  // namespace scsi_rsp

namespace data_in {
inline constexpr std::uint8_t kAcknowledge = 0x40;
inline constexpr std::uint8_t kOverflow = 0x04;
inline constexpr std::uint8_t kUnderflow = 0x02;
inline constexpr std::uint8_t kStatusPresent = 0x01;
inline constexpr std::size_t kStatus = 3;
}  // namespace data_in

namespace logout {
inline constexpr std::uint8_t kReasonMask = 0x7F;
inline constexpr std::uint8_t kCloseSession = 0x00;
inline constexpr std::uint8_t kCloseConnection = 0x01;
inline constexpr std::size_t kResponse = 2;
inline constexpr std::size_t kCid = 20;
inline constexpr std::size_t kTime2Wait = 40;
inline constexpr std::size_t kTime2Retain = 42;
inline constexpr std::uint8_t kSuccess = 0x00;
inline constexpr std::uint8_t kCidNotFound = 0x01;
}  // namespace logout

namespace task_mgmt {
inline constexpr std::uint8_t kFunctionMask = 0x7F;
inline constexpr std::uint8_t kAbortTask = 1;
inline constexpr std::uint8_t kAbortTaskSet = 2;
inline constexpr std::uint8_t kClearTaskSet = 3;
inline constexpr std::uint8_t kLogicalUnitReset = 5;
inline constexpr std::uint8_t kTargetWarmReset = 6;
inline constexpr std::size_t kReferencedTaskTag = 20;
inline constexpr std::size_t kRefCmdSn = 32;
inline constexpr std::size_t kResponse = 2;
inline constexpr std::uint8_t kComplete = 0;
inline constexpr std::uint8_t kTaskDoesNotExist = 1;
inline constexpr std::uint8_t kLunDoesNotExist = 2;
inline constexpr std::uint8_t kNotSupported = 5;
}  // namespace task_mgmt

namespace reject {
inline constexpr std::size_t kReason = 2;
inline constexpr std::uint8_t kDataDigestError = 0x02;
inline constexpr std::uint8_t kProtocolError = 0x04;
inline constexpr std::uint8_t kCommandNotSupported = 0x05;
inline constexpr std::uint8_t kInvalidPduField = 0x09;
}  // namespace reject

namespace text {
inline constexpr std::uint8_t kContinue = 0x40;
}  // namespace text

}  // namespace iscsim::stack::iscsi
