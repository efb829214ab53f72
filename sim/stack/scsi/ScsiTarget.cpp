#include "sim/stack/scsi/ScsiTarget.hpp"

#include <cassert>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {
// The first level of a LUN field is its top two bytes: address method in the top two bits.
constexpr unsigned kFirstLevelShift = 48;
constexpr unsigned kMethodShift = 14;
constexpr std::uint64_t kFirstLevelMask = 0xFFFF;
constexpr std::uint64_t kLowerLevelsMask = (std::uint64_t{1} << kFirstLevelShift) - 1;
constexpr std::uint64_t kMethodPeripheral = 0b00;  // bus 0, then an 8-bit target/LUN
constexpr std::uint64_t kMethodFlat = 0b01;        // a 14-bit LUN
constexpr std::uint64_t kPeripheralMax = 0xFF;
constexpr std::uint64_t kFlatMask = 0x3FFF;

constexpr std::size_t kLunEntryBytes = 8;
constexpr std::size_t kReportHeaderBytes = 8;  // LUN LIST LENGTH, then 4 reserved bytes
// INQUIRY for an absent LUN: qualifier 011b (no LU possible here), type 1Fh (SPC-4 6.6.2).
constexpr std::uint8_t kNoLogicalUnit = 0x7F;
}  // namespace

std::uint64_t lun_field(std::uint64_t n) {
  assert(n <= kMaxLunNumber);
  const std::uint64_t first = n <= kPeripheralMax ? n : (kMethodFlat << kMethodShift) | (n & kFlatMask);
  return first << kFirstLevelShift;
}

std::uint64_t lun_number(std::uint64_t field) {
  if ((field & kLowerLevelsMask) != 0) return kInvalidLunNumber;  // more than one level
  const std::uint64_t first = (field >> kFirstLevelShift) & kFirstLevelMask;
  switch (first >> kMethodShift) {
    case kMethodPeripheral: return first <= kPeripheralMax ? first : kInvalidLunNumber;  // nonzero bus
    case kMethodFlat: return first & kFlatMask;
    default: return kInvalidLunNumber;
  }
}

void ScsiTarget::add_lun(std::uint64_t number, Lun lun) { luns_.insert_or_assign(number, std::move(lun)); }

void ScsiTarget::recycle(std::uint64_t lun, std::vector<std::uint8_t>&& buffer) {
  const auto it = luns_.find(lun);
  if (it != luns_.end()) it->second.recycle(std::move(buffer));
}

ScsiResult ScsiTarget::execute(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len,
                               const std::uint8_t* data_out, std::size_t data_out_len) {
  return execute(lun, parse(cdb, cdb_len), data_out, data_out_len);
}

ScsiResult ScsiTarget::execute(std::uint64_t lun, const Command& c, const std::uint8_t* data_out,
                               std::size_t data_out_len) {
  if (c.kind == CommandKind::ReportLuns && c.error.empty()) return report_luns(c);
  const auto it = luns_.find(lun);
  if (it != luns_.end()) return it->second.execute(c, data_out, data_out_len);
  // SAM-5 5.11 (incorrect logical unit selection).
  ScsiResult r;
  if (c.kind == CommandKind::Inquiry && c.error.empty() && !c.evpd) {
    r.data_in = standard_inquiry(kNoLogicalUnit, LunIdentity{});
    r.truncate(c.allocation_length);
    return r;
  }
  if (c.kind == CommandKind::RequestSense && c.error.empty()) {  // GOOD, the sense as data
    const SenseData s = SenseData::lun_not_supported();
    r.data_in = c.desc ? s.descriptor_format() : s.fixed_format();
    r.truncate(c.allocation_length);
    return r;
  }
  return ScsiResult::check_condition(SenseData::lun_not_supported());
}

std::uint32_t ScsiTarget::expected_data_out(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len) const {
  const auto it = luns_.find(lun);
  return it == luns_.end() ? 0 : it->second.expected_data_out(parse(cdb, cdb_len));
}

ScsiResult ScsiTarget::report_luns(const Command& c) const {
  ScsiResult r;
  r.data_in.assign(kReportHeaderBytes + kLunEntryBytes * luns_.size(), 0);
  store_be<4>(r.data_in.data(), kLunEntryBytes * luns_.size());
  std::size_t at = kReportHeaderBytes;
  for (const auto& entry : luns_) {
    store_be<8>(&r.data_in[at], lun_field(entry.first));
    at += kLunEntryBytes;
  }
  r.truncate(c.allocation_length);
  return r;
}

}  // namespace iscsim::stack::scsi
