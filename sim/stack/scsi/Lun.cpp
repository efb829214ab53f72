#include "sim/stack/scsi/Lun.hpp"

#include <algorithm>
#include <cassert>
#include <limits>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {

// Standard INQUIRY data (SPC-4 6.6.2).
namespace inq {
constexpr std::uint8_t kDirectAccess = 0x00;  // peripheral qualifier 000b, device type 00h
constexpr std::uint8_t kSpc4 = 0x06;
constexpr std::uint8_t kResponseFormat2 = 0x02;
constexpr std::uint8_t kCmdQue = 0x02;  // byte 7: the LUN queues commands
constexpr std::size_t kVersionAt = 2, kFormatAt = 3, kAdditionalLengthAt = 4, kFlagsAt = 7;
// 96 bytes: through the eight VERSION DESCRIPTORs, which say which standards the LU follows
// (initiators such as libiscsi's test suite look for SBC-3 there).
constexpr std::size_t kStandardBytes = 96;
constexpr std::size_t kVersionDescriptorsAt = 58;
// SPC-4 table 142 (version descriptor values): SAM-5, iSCSI, SPC-4, SBC-3, each without a
// revision.
constexpr std::uint16_t kVersionDescriptors[] = {0x00A0, 0x0960, 0x0460, 0x04C0};
constexpr std::size_t kHeaderBytes = 5;  // up to and including ADDITIONAL LENGTH
constexpr std::size_t kVendorAt = 8, kVendorBytes = 8;
constexpr std::size_t kProductAt = 16, kProductBytes = 16;
constexpr std::size_t kRevisionAt = 32, kRevisionBytes = 4;
}  // namespace inq

// Vital product data pages (SPC-4 7.8, SBC-3 6.5).
namespace vpd {
constexpr std::uint8_t kSupported = 0x00;
constexpr std::uint8_t kSerial = 0x80;
constexpr std::uint8_t kDeviceId = 0x83;
constexpr std::uint8_t kBlockLimits = 0xB0;
constexpr std::uint8_t kBlockCharacteristics = 0xB1;
constexpr std::uint8_t kPages[] = {kSupported, kSerial, kDeviceId, kBlockLimits, kBlockCharacteristics};
constexpr std::size_t kHeaderBytes = 4;
constexpr std::size_t kPageCodeAt = 1, kPageLengthAt = 2;
constexpr std::size_t kLongPageLength = 0x3C;  // block limits and block device characteristics
constexpr std::size_t kMaxTransferAt = 8;
constexpr std::size_t kOptimalTransferAt = 12;
constexpr std::size_t kRotationRateAt = 4;
constexpr std::uint16_t kNonRotating = 1;
// Designation descriptor (SPC-4 7.8.6.1): code set, association and type, reserved, length.
constexpr std::uint8_t kCodeSetBinary = 0x01;
constexpr std::uint8_t kCodeSetAscii = 0x02;
constexpr std::uint8_t kTypeT10Vendor = 0x01;  // association 00b: the logical unit
constexpr std::uint8_t kTypeNaa = 0x03;
constexpr std::size_t kDesignatorHeader = 4;
constexpr std::size_t kDesignatorTypeAt = 1;
constexpr std::size_t kDesignatorLengthAt = 3;
constexpr std::size_t kNaaBytes = 8;
}  // namespace vpd

// Mode parameters (SPC-4 7.5, SBC-3 6.4).
namespace mode {
constexpr std::uint8_t kCaching = 0x08;
constexpr std::uint8_t kControl = 0x0A;
constexpr std::uint8_t kAll = 0x3F;
constexpr std::uint8_t kAllSubpages = 0xFF;
constexpr std::size_t kCachingBytes = 20;  // WCE=0: a RAM disk has no volatile write cache
constexpr std::size_t kControlBytes = 12;  // D_SENSE=0: fixed-format sense
constexpr std::size_t kPageHeaderBytes = 2;
constexpr std::size_t kBlockDescriptorBytes = 8;
constexpr std::size_t kBlockLengthAt = 5;
constexpr std::size_t kHeader6 = 4, kHeader10 = 8;
constexpr std::size_t kDataLength6 = 1, kDataLength10 = 2;  // MODE DATA LENGTH excludes itself
constexpr std::size_t kDeviceSpecific6 = 2, kDeviceSpecific10 = 3;
constexpr std::size_t kDescriptorLength6 = 3, kDescriptorLength10 = 6;
constexpr std::uint8_t kDpoFua = 0x10;  // FUA is accepted (and trivially honoured)
}  // namespace mode

constexpr std::size_t kCapacity10Bytes = 8;
constexpr std::size_t kCapacity16Bytes = 32;
constexpr std::size_t kBlockLengthAt10 = 4, kBlockLengthAt16 = 8;
constexpr std::uint64_t kMaxLba32 = std::numeric_limits<std::uint32_t>::max();  // "use READ CAPACITY (16)"
constexpr std::uint8_t kNoProtection = 0;

void put_ascii(std::vector<std::uint8_t>& out, std::size_t at, const std::string& s, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) out[at + i] = static_cast<std::uint8_t>(i < s.size() ? s[i] : ' ');
}

std::string padded(const std::string& s, std::size_t width) {
  std::string r = s.substr(0, width);
  r.resize(width, ' ');
  return r;
}

// A mode page: code, length, then zeros (current values and the changeable mask alike).
void append_page(std::vector<std::uint8_t>& d, std::uint8_t code, std::size_t bytes) {
  const std::size_t at = d.size();
  d.resize(at + bytes, 0);
  d[at] = code;
  d[at + 1] = static_cast<std::uint8_t>(bytes - mode::kPageHeaderBytes);  // PAGE LENGTH
}

// Sense back from the fixed-format bytes of a CHECK CONDITION result.
SenseData sense_of(const ScsiResult& r) {
  using namespace sense_format;
  return {r.sense[kFixedKeyAt], r.sense[kFixedAscAt], r.sense[kFixedAscqAt]};
}

}  // namespace

std::vector<std::uint8_t> standard_inquiry(std::uint8_t peripheral, const LunIdentity& id) {
  std::vector<std::uint8_t> d(inq::kStandardBytes, 0);
  d[0] = peripheral;
  d[inq::kVersionAt] = inq::kSpc4;
  d[inq::kFormatAt] = inq::kResponseFormat2;
  d[inq::kAdditionalLengthAt] = static_cast<std::uint8_t>(inq::kStandardBytes - inq::kHeaderBytes);
  d[inq::kFlagsAt] = inq::kCmdQue;
  put_ascii(d, inq::kVendorAt, id.vendor, inq::kVendorBytes);
  put_ascii(d, inq::kProductAt, id.product, inq::kProductBytes);
  put_ascii(d, inq::kRevisionAt, id.revision, inq::kRevisionBytes);
  std::size_t at = inq::kVersionDescriptorsAt;
  for (const std::uint16_t v : inq::kVersionDescriptors) {
    store_be<2>(&d[at], v);
    at += sizeof v;
  }
  return d;
}

Lun::Lun(const LunIdentity& identity, std::uint64_t capacity_bytes, std::uint32_t block_bytes)
    : id_(identity),
      block_bytes_(block_bytes),
      blocks_(capacity_bytes / block_bytes),
      max_transfer_blocks_(std::max<std::uint32_t>(1, kMaxTransferBytes / block_bytes)),
      store_(blocks_ * block_bytes) {
  assert(blocks_ > 0);
}

ScsiResult Lun::execute(const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                        std::size_t data_out_len) {
  return execute(parse_cdb(cdb, cdb_len), data_out, data_out_len);
}

ScsiResult Lun::execute(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len) {
  if (c.error.empty() && c.kind == CommandKind::RequestSense) return request_sense(c);
  ScsiResult r = dispatch(c, data_out, data_out_len);
  if (r.status == Status::CheckCondition)
    pending_sense_ = sense_of(r);
  else
    pending_sense_.reset();
  return r;
}

ScsiResult Lun::dispatch(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len) {
  if (!c.error.empty()) return ScsiResult::check_condition(SenseData::invalid_field_in_cdb());
  switch (c.kind) {
    case CommandKind::TestUnitReady: return {};
    case CommandKind::Inquiry: return inquiry(c);
    case CommandKind::ModeSense: return mode_sense(c);
    case CommandKind::ReadCapacity10: return read_capacity(false, kCapacity10Bytes);
    case CommandKind::ReadCapacity16: return read_capacity(true, c.allocation_length);
    case CommandKind::Read:
    case CommandKind::Write: return read_write(c, data_out, data_out_len);
    case CommandKind::SynchronizeCache:
      // RAM has no volatile cache to flush; only the range is checked (0 blocks: to the end).
      if (!in_range(c.lba, c.blocks)) return ScsiResult::check_condition(SenseData::lba_out_of_range());
      return {};
    case CommandKind::RequestSense:  // handled by execute()
    case CommandKind::ReportLuns:    // answered by the target, which knows every LUN
    case CommandKind::Unsupported: break;
  }
  return ScsiResult::check_condition(SenseData::invalid_opcode());
}

// SPC-4 6.29: the sense of the last CHECK CONDITION once, then NO SENSE.
ScsiResult Lun::request_sense(const Command& c) {
  const SenseData s = pending_sense_.value_or(SenseData::no_sense());
  pending_sense_.reset();
  ScsiResult r;
  r.data_in = c.desc ? s.descriptor_format() : s.fixed_format();
  r.truncate(c.allocation_length);
  return r;
}

ScsiResult Lun::inquiry(const Command& c) const {
  ScsiResult r;
  if (c.evpd)
    r = vpd_page(c.page_code);
  else
    r.data_in = standard_inquiry(inq::kDirectAccess, id_);
  r.truncate(c.allocation_length);
  return r;
}

ScsiResult Lun::vpd_page(std::uint8_t page) const {
  ScsiResult r;
  std::vector<std::uint8_t>& d = r.data_in;
  d.assign(vpd::kHeaderBytes, 0);
  d[0] = inq::kDirectAccess;
  d[vpd::kPageCodeAt] = page;
  switch (page) {
    case vpd::kSupported: d.insert(d.end(), std::begin(vpd::kPages), std::end(vpd::kPages)); break;
    case vpd::kSerial: d.insert(d.end(), id_.serial.begin(), id_.serial.end()); break;
    case vpd::kDeviceId: {
      // An NAA designator for the LU, then a T10 vendor ID one (vendor, product, serial).
      std::size_t at = d.size();
      d.resize(at + vpd::kDesignatorHeader + vpd::kNaaBytes, 0);
      d[at] = vpd::kCodeSetBinary;
      d[at + vpd::kDesignatorTypeAt] = vpd::kTypeNaa;
      d[at + vpd::kDesignatorLengthAt] = vpd::kNaaBytes;
      store_be<vpd::kNaaBytes>(&d[at + vpd::kDesignatorHeader], id_.naa);
      const std::string t10 =
          padded(id_.vendor, inq::kVendorBytes) + padded(id_.product, inq::kProductBytes) + id_.serial;
      at = d.size();
      d.resize(at + vpd::kDesignatorHeader, 0);
      d[at] = vpd::kCodeSetAscii;
      d[at + vpd::kDesignatorTypeAt] = vpd::kTypeT10Vendor;
      d[at + vpd::kDesignatorLengthAt] = static_cast<std::uint8_t>(t10.size());
      d.insert(d.end(), t10.begin(), t10.end());
      break;
    }
    case vpd::kBlockLimits:
      d.resize(vpd::kHeaderBytes + vpd::kLongPageLength, 0);
      store_be<4>(&d[vpd::kMaxTransferAt], max_transfer_blocks_);
      // The store allocates whole pages, so a page-sized transfer is the natural unit.
      store_be<4>(&d[vpd::kOptimalTransferAt], std::max<std::uint32_t>(1, store_.page_bytes() / block_bytes_));
      break;
    case vpd::kBlockCharacteristics:
      d.resize(vpd::kHeaderBytes + vpd::kLongPageLength, 0);
      store_be<2>(&d[vpd::kRotationRateAt], vpd::kNonRotating);
      break;
    default: return ScsiResult::check_condition(SenseData::invalid_field_in_cdb());
  }
  store_be<2>(&d[vpd::kPageLengthAt], d.size() - vpd::kHeaderBytes);
  return r;
}

ScsiResult Lun::mode_sense(const Command& c) const {
  if (c.page_control == page_control::kSaved)
    return ScsiResult::check_condition(SenseData::saving_parameters_not_supported());
  const bool all = c.page_code == mode::kAll;
  const bool known = all || c.page_code == mode::kCaching || c.page_code == mode::kControl;
  const bool subpage_ok = c.subpage_code == 0 || (all && c.subpage_code == mode::kAllSubpages);
  if (!known || !subpage_ok) return ScsiResult::check_condition(SenseData::invalid_field_in_cdb());

  const bool ten = c.opcode == op::kModeSense10;
  const std::size_t header = ten ? mode::kHeader10 : mode::kHeader6;
  const std::size_t descriptor = c.dbd ? 0 : mode::kBlockDescriptorBytes;
  ScsiResult r;
  std::vector<std::uint8_t>& d = r.data_in;
  d.assign(header + descriptor, 0);
  if (descriptor > 0) {  // short LBA descriptor: the block count saturates at 32 bits
    store_be<4>(&d[header], std::min(blocks_, kMaxLba32));
    store_be<3>(&d[header + mode::kBlockLengthAt], block_bytes_);
  }
  // Ascending page order (SPC-4 6.11). Nothing is changeable, and current = default values.
  if (all || c.page_code == mode::kCaching) append_page(d, mode::kCaching, mode::kCachingBytes);
  if (all || c.page_code == mode::kControl) append_page(d, mode::kControl, mode::kControlBytes);
  if (ten) {
    store_be<mode::kDataLength10>(&d[0], d.size() - mode::kDataLength10);
    d[mode::kDeviceSpecific10] = mode::kDpoFua;
    store_be<2>(&d[mode::kDescriptorLength10], descriptor);
  } else {
    d[0] = static_cast<std::uint8_t>(d.size() - mode::kDataLength6);
    d[mode::kDeviceSpecific6] = mode::kDpoFua;
    d[mode::kDescriptorLength6] = static_cast<std::uint8_t>(descriptor);
  }
  r.truncate(c.allocation_length);
  return r;
}

ScsiResult Lun::read_capacity(bool sixteen, std::uint32_t allocation_length) const {
  ScsiResult r;
  const std::uint64_t last = blocks_ - 1;
  if (sixteen) {
    r.data_in.assign(kCapacity16Bytes, 0);
    store_be<8>(&r.data_in[0], last);
    store_be<4>(&r.data_in[kBlockLengthAt16], block_bytes_);
  } else {
    r.data_in.assign(kCapacity10Bytes, 0);
    store_be<4>(&r.data_in[0], std::min(last, kMaxLba32));
    store_be<4>(&r.data_in[kBlockLengthAt10], block_bytes_);
  }
  r.truncate(allocation_length);
  return r;
}

bool Lun::in_range(std::uint64_t lba, std::uint32_t blocks) const {
  // The LBA must exist even for an empty transfer; written so that lba + blocks cannot wrap.
  return lba < blocks_ && blocks <= blocks_ - lba;
}

// Why a READ or WRITE is refused before any data moves, if it is.
std::optional<SenseData> Lun::refusal(const Command& c) const {
  if (!c.error.empty() || c.protect != kNoProtection || c.blocks > max_transfer_blocks_)
    return SenseData::invalid_field_in_cdb();
  if (!in_range(c.lba, c.blocks)) return SenseData::lba_out_of_range();
  return std::nullopt;
}

std::uint32_t Lun::expected_data_out(const Command& c) const {
  if (c.kind != CommandKind::Write) return 0;
  const std::size_t bytes = std::size_t{c.blocks} * block_bytes_;
  return refusal(c) ? 0 : static_cast<std::uint32_t>(bytes);  // fits: blocks <= max transfer
}

void Lun::recycle(std::vector<std::uint8_t>&& buffer) {
  if (buffer.capacity() > 0) spare_buffers_.push_back(std::move(buffer));
}

ScsiResult Lun::read_write(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len) {
  if (const auto refused = refusal(c)) return ScsiResult::check_condition(*refused);
  // FUA needs nothing: every WRITE reaches the medium (RAM) before GOOD.
  const std::size_t bytes = std::size_t{c.blocks} * block_bytes_;
  const std::uint64_t offset = c.lba * block_bytes_;
  ScsiResult r;
  if (c.kind == CommandKind::Read) {
    if (!spare_buffers_.empty()) {
      r.data_in = std::move(spare_buffers_.back());
      spare_buffers_.pop_back();
    }
    r.data_in.resize(bytes);  // every byte is then read from the store
    store_.read(offset, r.data_in.data(), bytes);
    return r;
  }
  // Fewer bytes than the CDB asks for write that many whole blocks; a part of a block cannot be
  // written, and more bytes than asked for are ignored.
  const std::size_t given = std::min(data_out_len, bytes);
  if (given % block_bytes_ != 0) {
    r = ScsiResult::check_condition(SenseData::invalid_field_in_information_unit());
  } else if (given > 0) {
    store_.write(offset, data_out, given);
  }
  r.data_out_wanted = static_cast<std::uint32_t>(bytes);
  return r;
}

}  // namespace iscsim::stack::scsi
