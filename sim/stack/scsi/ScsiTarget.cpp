#include "sim/stack/scsi/ScsiTarget.hpp"

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {
constexpr unsigned kFirstLevelShift = 48;  // the first-level address is the top two bytes
constexpr std::uint64_t kPeripheralMask = 0xFF;
constexpr std::size_t kLunEntryBytes = 8;
constexpr std::size_t kReportHeaderBytes = 8;
constexpr std::size_t kStandardInquiryBytes = 36;
// INQUIRY for an absent LUN: qualifier 011b, type 1Fh (SPC-4 6.6.2).
constexpr std::uint8_t kNoLogicalUnit = 0x7F;
}  // namespace

std::uint64_t lun_field(std::uint64_t n) { return (n & kPeripheralMask) << kFirstLevelShift; }
std::uint64_t lun_number(std::uint64_t field) { return (field >> kFirstLevelShift) & kPeripheralMask; }

void ScsiTarget::add_lun(std::uint64_t number, Lun lun) { luns_.emplace(number, std::move(lun)); }

ScsiResult ScsiTarget::execute(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len,
                               const std::uint8_t* data_out, std::size_t data_out_len) {
  const Command c = parse_cdb(cdb, cdb_len);
  if (c.kind == CommandKind::ReportLuns) return report_luns(c);
  const auto it = luns_.find(lun);
  if (it != luns_.end()) return it->second.execute(cdb, cdb_len, data_out, data_out_len);
  if (c.kind == CommandKind::Inquiry && c.error.empty() && !c.evpd) {
    ScsiResult r;
    r.data_in.assign(kStandardInquiryBytes, 0);
    r.data_in[0] = kNoLogicalUnit;
    truncate_to(r, c.allocation_length);
    return r;
  }
  return ScsiResult::check_condition(SenseData::lun_not_supported());
}

ScsiResult ScsiTarget::report_luns(const Command& c) const {
  ScsiResult r;
  r.data_in.assign(kReportHeaderBytes + kLunEntryBytes * luns_.size(), 0);
  store_be<4>(r.data_in.data(), kLunEntryBytes * luns_.size());
  std::size_t at = kReportHeaderBytes;
  for (const auto& [n, lun] : luns_) {
    store_be<8>(&r.data_in[at], lun_field(n));
    at += kLunEntryBytes;
  }
  truncate_to(r, c.allocation_length);
  return r;
}

}  // namespace iscsim::stack::scsi
