#pragma once
// SCSI status codes and sense data (SPC-4 sections 4.5 and SAM-5 5.3) for the conditions a
// RAM-disk LUN reports, and the result every executed command produces.
#include <cstdint>
#include <optional>
#include <vector>

namespace iscsim::stack::scsi {

// SAM-5 status codes.
enum class Status : std::uint8_t {
  Good = 0x00,
  CheckCondition = 0x02,
  Busy = 0x08,
  ReservationConflict = 0x18,
  TaskSetFull = 0x28,
};

// SPC-4 table 44.
namespace sense_key {
inline constexpr std::uint8_t kNoSense = 0x0;
inline constexpr std::uint8_t kNotReady = 0x2;
inline constexpr std::uint8_t kMediumError = 0x3;
inline constexpr std::uint8_t kIllegalRequest = 0x5;
inline constexpr std::uint8_t kUnitAttention = 0x6;
inline constexpr std::uint8_t kAbortedCommand = 0xB;
}  // namespace sense_key

// Additional sense codes (ASC, ASCQ) of SPC-4 table 45 that this target reports.
namespace asc {
inline constexpr std::uint8_t kNoAdditionalSense = 0x00;
inline constexpr std::uint8_t kParameterListLengthError = 0x1A;
inline constexpr std::uint8_t kInvalidCommandOperationCode = 0x20;
inline constexpr std::uint8_t kLbaOutOfRange = 0x21;
inline constexpr std::uint8_t kInvalidFieldInCdb = 0x24;
inline constexpr std::uint8_t kLogicalUnitNotSupported = 0x25;
inline constexpr std::uint8_t kSavingParametersNotSupported = 0x39;
inline constexpr std::uint8_t kQualifierNone = 0x00;  // the ASCQ of all of the above
inline constexpr std::uint8_t kInformationUnit = 0x0E;  // with kInvalidFieldInInformationUnit
inline constexpr std::uint8_t kInvalidFieldInInformationUnit = 0x03;
}  // namespace asc

// Byte layout of sense data (SPC-4 4.5.2 descriptor format, 4.5.3 fixed format).
namespace sense_format {
inline constexpr std::uint8_t kFixedCurrent = 0x70;
inline constexpr std::uint8_t kDescriptorCurrent = 0x72;
inline constexpr std::size_t kFixedBytes = 18;
inline constexpr std::size_t kDescriptorBytes = 8;  // header only: no descriptors
inline constexpr std::size_t kFixedKeyAt = 2;
inline constexpr std::size_t kFixedAdditionalLengthAt = 7;
inline constexpr std::size_t kFixedAscAt = 12;
inline constexpr std::size_t kFixedAscqAt = 13;
}  // namespace sense_format

// One condition: sense key, additional sense code and its qualifier.
struct SenseData {
  std::uint8_t key = sense_key::kNoSense;
  std::uint8_t asc = asc::kNoAdditionalSense;
  std::uint8_t ascq = asc::kQualifierNone;

  static SenseData no_sense() { return {}; }
  static SenseData invalid_opcode() { return illegal(asc::kInvalidCommandOperationCode); }
  static SenseData lba_out_of_range() { return illegal(asc::kLbaOutOfRange); }
  static SenseData invalid_field_in_cdb() { return illegal(asc::kInvalidFieldInCdb); }
  static SenseData lun_not_supported() { return illegal(asc::kLogicalUnitNotSupported); }
  static SenseData parameter_list_length_error() { return illegal(asc::kParameterListLengthError); }
  static SenseData saving_parameters_not_supported() { return illegal(asc::kSavingParametersNotSupported); }
  // The transport delivered data that is not whole blocks (SPC-4: INVALID FIELD IN INFORMATION UNIT).
  static SenseData invalid_field_in_information_unit() {
    return {sense_key::kIllegalRequest, asc::kInformationUnit, asc::kInvalidFieldInInformationUnit};
  }

  // The 18-byte fixed format: response code 70h (current error), additional length 10.
  std::vector<std::uint8_t> fixed_format() const;
  // The 8-byte descriptor format header (response code 72h) with no descriptors.
  std::vector<std::uint8_t> descriptor_format() const;

  friend bool operator==(const SenseData& a, const SenseData& b) {
    return a.key == b.key && a.asc == b.asc && a.ascq == b.ascq;
  }

 private:
  static SenseData illegal(std::uint8_t code) { return {sense_key::kIllegalRequest, code, asc::kQualifierNone}; }
};

// What executing a command produced: status, data-in, and sense bytes with CHECK CONDITION.
struct ScsiResult {
  Status status = Status::Good;
  std::vector<std::uint8_t> data_in;
  std::vector<std::uint8_t> sense;  // fixed format, empty when GOOD
  // A WRITE: the data-out bytes its CDB called for. The transport compares them with what the
  // initiator said it would send (iSCSI's Expected Data Transfer Length) to report a residual.
  std::optional<std::uint32_t> data_out_wanted;

  static ScsiResult check_condition(const SenseData& s) { return {Status::CheckCondition, {}, s.fixed_format(), {}}; }
  // Data-in never exceeds the ALLOCATION LENGTH the CDB gave (SPC-4 4.2.5.6).
  void truncate(std::uint32_t allocation_length) {
    if (data_in.size() > allocation_length) data_in.resize(allocation_length);
  }
};

}  // namespace iscsim::stack::scsi
