#pragma once
// SCSI command descriptor blocks (SBC-3, SPC-4) for the commands a RAM-disk LUN serves: built
// by the initiator, parsed by the target into one typed form.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace iscsim::stack::scsi {

// Operation codes (SPC-4 / SBC-3).
namespace op {
inline constexpr std::uint8_t kTestUnitReady = 0x00;
inline constexpr std::uint8_t kRequestSense = 0x03;
inline constexpr std::uint8_t kInquiry = 0x12;
inline constexpr std::uint8_t kModeSense6 = 0x1A;
inline constexpr std::uint8_t kReadCapacity10 = 0x25;
inline constexpr std::uint8_t kRead10 = 0x28;
inline constexpr std::uint8_t kWrite10 = 0x2A;
inline constexpr std::uint8_t kSynchronizeCache10 = 0x35;
inline constexpr std::uint8_t kModeSense10 = 0x5A;
inline constexpr std::uint8_t kRead16 = 0x88;
inline constexpr std::uint8_t kWrite16 = 0x8A;
inline constexpr std::uint8_t kSynchronizeCache16 = 0x91;
inline constexpr std::uint8_t kServiceActionIn16 = 0x9E;  // READ CAPACITY (16) is service action 0x10
inline constexpr std::uint8_t kReportLuns = 0xA0;
inline constexpr std::uint8_t kReadCapacity16Action = 0x10;
}  // namespace op

// MODE SENSE page control values (SPC-4 table 98).
namespace page_control {
inline constexpr std::uint8_t kCurrent = 0;
inline constexpr std::uint8_t kChangeable = 1;
inline constexpr std::uint8_t kDefault = 2;
inline constexpr std::uint8_t kSaved = 3;
}  // namespace page_control

enum class CommandKind {
  TestUnitReady,
  RequestSense,
  Inquiry,
  ModeSense,
  ReadCapacity10,
  ReadCapacity16,
  Read,
  Write,
  SynchronizeCache,
  ReportLuns,
  Unsupported,
};

// What a CDB asks for, whatever its size.
struct Command {
  CommandKind kind = CommandKind::Unsupported;
  std::uint8_t opcode = 0;
  std::uint64_t lba = 0;
  std::uint32_t blocks = 0;            // READ/WRITE/SYNCHRONIZE CACHE transfer length
  std::uint32_t allocation_length = 0;  // data-in commands
  bool evpd = false;                    // INQUIRY: vital product data page wanted
  std::uint8_t page_code = 0;           // INQUIRY VPD page or MODE SENSE page (without the PC bits)
  std::uint8_t subpage_code = 0;        // MODE SENSE
  std::uint8_t page_control = 0;        // MODE SENSE PC: current, changeable, default or saved values
  bool dbd = false;                     // MODE SENSE: disable block descriptors
  bool desc = false;                    // REQUEST SENSE: descriptor-format sense wanted
  bool fua = false;                     // READ/WRITE: force unit access
  std::uint8_t protect = 0;             // READ/WRITE: RDPROTECT/WRPROTECT
  std::string error;                    // a malformed CDB (reserved bits, bad length): INVALID FIELD IN CDB
};

// Parses a CDB of `len` bytes (6, 10, 12 or 16 as its group requires).
Command parse_cdb(const std::uint8_t* cdb, std::size_t len);

// CDBs the initiator sends.
std::array<std::uint8_t, 16> read_cdb(std::uint64_t lba, std::uint32_t blocks, bool use16);
std::array<std::uint8_t, 16> write_cdb(std::uint64_t lba, std::uint32_t blocks, bool use16);
std::array<std::uint8_t, 16> inquiry_cdb(bool evpd, std::uint8_t page, std::uint16_t allocation);
std::array<std::uint8_t, 16> read_capacity16_cdb(std::uint32_t allocation);
std::array<std::uint8_t, 16> simple_cdb(std::uint8_t opcode);  // TEST UNIT READY, READ CAPACITY (10)

}  // namespace iscsim::stack::scsi
