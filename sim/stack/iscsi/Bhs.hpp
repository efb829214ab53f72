#pragma once
// The 48-byte Basic Header Segment of every iSCSI PDU (RFC 7143 section 11.2.1): raw bytes with
// big-endian field accessors, so every opcode's layout is expressed as named offsets.
#include <array>
#include <cstddef>
#include <cstdint>

#include "sim/stack/iscsi/Opcode.hpp"

namespace iscsim::stack::iscsi {

inline constexpr std::size_t kBhsBytes = 48;

// Field offsets shared by many opcodes (RFC 7143 section 11).
namespace bhs {
inline constexpr std::size_t kOpcode = 0;        // I bit (0x40) and 6-bit opcode
inline constexpr std::size_t kFlags = 1;         // F bit (0x80) and opcode-specific flags
inline constexpr std::size_t kTotalAhsLength = 4;  // in 4-byte words
inline constexpr std::size_t kDataSegmentLength = 5;  // 24 bits
inline constexpr std::size_t kLun = 8;
inline constexpr std::size_t kItt = 16;
inline constexpr std::size_t kTtt = 20;              // target transfer tag
inline constexpr std::size_t kExpectedDataLength = 20;  // SCSI Command
inline constexpr std::size_t kCmdSn = 24;            // initiator PDUs
inline constexpr std::size_t kExpStatSn = 28;        // initiator PDUs
inline constexpr std::size_t kStatSn = 24;           // target PDUs
inline constexpr std::size_t kExpCmdSn = 28;         // target PDUs
inline constexpr std::size_t kMaxCmdSn = 32;         // target PDUs
inline constexpr std::size_t kCdb = 32;              // SCSI Command: 16 bytes
inline constexpr std::size_t kCdbBytes = 16;
inline constexpr std::size_t kDataSn = 36;           // Data-In/Out; R2TSN in R2T
inline constexpr std::size_t kBufferOffset = 40;     // Data-In/Out, R2T
inline constexpr std::size_t kDesiredLength = 44;    // R2T
inline constexpr std::size_t kResidualCount = 44;    // SCSI Response, Data-In
inline constexpr std::uint8_t kImmediateBit = 0x40;
inline constexpr std::uint8_t kOpcodeMask = 0x3F;
inline constexpr std::uint8_t kFinalBit = 0x80;
}  // namespace bhs

class Bhs {
 public:
  Bhs() { bytes_.fill(0); }
  explicit Bhs(const std::uint8_t* raw);

  std::uint8_t opcode_value() const { return bytes_[bhs::kOpcode] & bhs::kOpcodeMask; }
  std::optional<Opcode> opcode() const { return opcode_from(opcode_value()); }
  bool immediate() const { return (bytes_[bhs::kOpcode] & bhs::kImmediateBit) != 0; }
  void set_opcode(Opcode op, bool immediate = false);
  bool final_bit() const { return (bytes_[bhs::kFlags] & bhs::kFinalBit) != 0; }
  void set_final(bool f);

  std::uint8_t u8(std::size_t at) const { return bytes_[at]; }
  std::uint16_t u16(std::size_t at) const;
  std::uint32_t u24(std::size_t at) const;
  std::uint32_t u32(std::size_t at) const;
  std::uint64_t u64(std::size_t at) const;
  void set_u8(std::size_t at, std::uint8_t v) { bytes_[at] = v; }
  void set_u16(std::size_t at, std::uint16_t v);
  void set_u24(std::size_t at, std::uint32_t v);
  void set_u32(std::size_t at, std::uint32_t v);
  void set_u64(std::size_t at, std::uint64_t v);

  std::uint32_t total_ahs_bytes() const { return 4u * bytes_[bhs::kTotalAhsLength]; }
  std::uint32_t data_segment_length() const { return u24(bhs::kDataSegmentLength); }
  std::uint32_t itt() const { return u32(bhs::kItt); }
  void set_itt(std::uint32_t v) { set_u32(bhs::kItt, v); }

  const std::array<std::uint8_t, kBhsBytes>& bytes() const { return bytes_; }
  std::array<std::uint8_t, kBhsBytes>& bytes() { return bytes_; }
  bool operator==(const Bhs& o) const { return bytes_ == o.bytes_; }

 private:
  std::array<std::uint8_t, kBhsBytes> bytes_;
};

}  // namespace iscsim::stack::iscsi
