#pragma once
// SCSI status codes and fixed-format sense data (SPC-4 sections 4.5.3 and 4.5.6) for the
// conditions a RAM-disk LUN reports.
#include <cstdint>
#include <vector>

namespace iscsim::stack::scsi {

enum class Status : std::uint8_t { Good = 0x00, CheckCondition = 0x02, Busy = 0x08, TaskSetFull = 0x28 };

namespace sense_key {
inline constexpr std::uint8_t kNoSense = 0x0;
inline constexpr std::uint8_t kNotReady = 0x2;
inline constexpr std::uint8_t kIllegalRequest = 0x5;
inline constexpr std::uint8_t kUnitAttention = 0x6;
}  // namespace sense_key

struct SenseData {
  std::uint8_t key = sense_key::kNoSense;
  std::uint8_t asc = 0;
  std::uint8_t ascq = 0;

  static SenseData no_sense() { return {}; }
  static SenseData invalid_opcode() { return {sense_key::kIllegalRequest, 0x20, 0x00}; }
  static SenseData lba_out_of_range() { return {sense_key::kIllegalRequest, 0x21, 0x00}; }
  static SenseData invalid_field_in_cdb() { return {sense_key::kIllegalRequest, 0x24, 0x00}; }
  static SenseData lun_not_supported() { return {sense_key::kIllegalRequest, 0x25, 0x00}; }
  static SenseData parameter_list_length_error() { return {sense_key::kIllegalRequest, 0x1A, 0x00}; }

  // The 18-byte fixed format (response code 0x70, current error).
  std::vector<std::uint8_t> fixed_format() const;
};

// What executing a command produced.
struct ScsiResult {
  Status status = Status::Good;
  std::vector<std::uint8_t> data_in;
  std::vector<std::uint8_t> sense;  // fixed format, empty when GOOD

  static ScsiResult check_condition(const SenseData& s) { return {Status::CheckCondition, {}, s.fixed_format()}; }
};

}  // namespace iscsim::stack::scsi
