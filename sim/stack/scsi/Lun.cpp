#include "sim/stack/scsi/Lun.hpp"

#include <algorithm>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {

constexpr std::uint8_t kDirectAccess = 0x00;
constexpr std::uint8_t kSpc4 = 0x06;
constexpr std::uint8_t kResponseFormat2 = 0x02;
constexpr std::uint8_t kCmdQue = 0x02;  // INQUIRY byte 7: command queuing
constexpr std::size_t kStandardInquiryBytes = 36;
constexpr std::size_t kVendorAt = 8, kVendorBytes = 8;
constexpr std::size_t kProductAt = 16, kProductBytes = 16;
constexpr std::size_t kRevisionAt = 32, kRevisionBytes = 4;
constexpr std::size_t kVpdHeaderBytes = 4;
namespace vpd {
constexpr std::uint8_t kSupported = 0x00;
constexpr std::uint8_t kSerial = 0x80;
constexpr std::uint8_t kDeviceId = 0x83;
constexpr std::uint8_t kBlockLimits = 0xB0;
constexpr std::uint8_t kBlockCharacteristics = 0xB1;
constexpr std::size_t kLimitsPageLength = 0x3C;
constexpr std::size_t kMaxTransferAt = 8;  // block limits: MAXIMUM TRANSFER LENGTH
constexpr std::size_t kOptimalTransferAt = 12;
constexpr std::uint32_t kMaxTransferBlocks = 65535;
constexpr std::uint32_t kOptimalTransferBlocks = 128;
constexpr std::size_t kRotationRateAt = 4;
constexpr std::uint16_t kNonRotating = 1;
// Designator header: code set, then association/type, reserved, length (SPC-4 7.8.6).
constexpr std::uint8_t kBinary = 0x01;
constexpr std::uint8_t kAscii = 0x02;
constexpr std::uint8_t kTypeT10Vendor = 0x01;
constexpr std::uint8_t kTypeNaa = 0x03;
constexpr std::size_t kDesignatorHeader = 4;
constexpr std::size_t kNaaBytes = 8;
}  // namespace vpd
namespace mode {
constexpr std::uint8_t kPageMask = 0x3F;
constexpr std::uint8_t kDbd = 0x08;
constexpr std::uint8_t kCaching = 0x08;
constexpr std::uint8_t kControl = 0x0A;
constexpr std::uint8_t kAll = 0x3F;
constexpr std::size_t kCachingBytes = 20;
constexpr std::size_t kControlBytes = 12;
constexpr std::size_t kBlockDescriptorBytes = 8;
constexpr std::size_t kHeader6 = 4;
constexpr std::size_t kHeader10 = 8;
}  // namespace mode
constexpr std::size_t kCapacity10Bytes = 8;
constexpr std::size_t kCapacity16Bytes = 32;
constexpr std::uint64_t kMax32 = 0xFFFFFFFFull;

}  // namespace

void truncate_to(ScsiResult& r, std::uint32_t allocation_length) {
  if (r.data_in.size() > allocation_length) r.data_in.resize(allocation_length);
}

void put_ascii(std::vector<std::uint8_t>& out, std::size_t at, const std::string& s, std::size_t width) {
  for (std::size_t i = 0; i < width; ++i) out[at + i] = static_cast<std::uint8_t>(i < s.size() ? s[i] : ' ');
}

Lun::Lun(const LunIdentity& identity, std::uint64_t capacity_bytes, std::uint32_t block_bytes)
    : id_(identity), block_bytes_(block_bytes), blocks_(capacity_bytes / block_bytes), store_(capacity_bytes) {}

ScsiResult Lun::fail(const SenseData& s) {
  last_sense_ = s;
  return ScsiResult::check_condition(s);
}

ScsiResult Lun::execute(const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                        std::size_t data_out_len) {
  const Command c = parse_cdb(cdb, cdb_len);
  if (c.kind == CommandKind::Unsupported) return fail(SenseData::invalid_opcode());
  if (!c.error.empty()) return fail(SenseData::invalid_field_in_cdb());
  ScsiResult r;
  switch (c.kind) {
    case CommandKind::TestUnitReady: return r;
    case CommandKind::RequestSense:
      r.data_in = last_sense_.value_or(SenseData::no_sense()).fixed_format();
      last_sense_.reset();
      truncate_to(r, c.allocation_length);
      return r;
    case CommandKind::Inquiry:
      r = inquiry(c);
      if (r.status != Status::Good) last_sense_ = SenseData::invalid_field_in_cdb();
      return r;
    case CommandKind::ModeSense:
      r = mode_sense(c, cdb);
      if (r.status != Status::Good) last_sense_ = SenseData::invalid_field_in_cdb();
      return r;
    case CommandKind::ReadCapacity10: return read_capacity(false);
    case CommandKind::ReadCapacity16:
      r = read_capacity(true);
      truncate_to(r, c.allocation_length);
      return r;
    case CommandKind::Read:
    case CommandKind::Write: return read_write(c, data_out, data_out_len);
    case CommandKind::SynchronizeCache:
      // RAM has no volatile cache to flush; only the range is checked.
      if (c.lba + c.blocks > blocks_) return fail(SenseData::lba_out_of_range());
      return r;
    default: return fail(SenseData::invalid_opcode());
  }
}

ScsiResult Lun::inquiry(const Command& c) const {
  ScsiResult r;
  if (c.evpd) {
    r = vpd_page(c.page_code);
  } else {
    r.data_in.assign(kStandardInquiryBytes, 0);
    r.data_in[0] = kDirectAccess;
    r.data_in[2] = kSpc4;
    r.data_in[3] = kResponseFormat2;
    r.data_in[4] = static_cast<std::uint8_t>(kStandardInquiryBytes - 5);  // additional length
    r.data_in[7] = kCmdQue;
    put_ascii(r.data_in, kVendorAt, id_.vendor, kVendorBytes);
    put_ascii(r.data_in, kProductAt, id_.product, kProductBytes);
    put_ascii(r.data_in, kRevisionAt, id_.revision, kRevisionBytes);
  }
  truncate_to(r, c.allocation_length);
  return r;
}

ScsiResult Lun::vpd_page(std::uint8_t page) const {
  ScsiResult r;
  std::vector<std::uint8_t>& d = r.data_in;
  d.assign(kVpdHeaderBytes, 0);
  d[0] = kDirectAccess;
  d[1] = page;
  switch (page) {
    case vpd::kSupported:
      for (std::uint8_t p : {vpd::kSupported, vpd::kSerial, vpd::kDeviceId, vpd::kBlockLimits, vpd::kBlockCharacteristics})
        d.push_back(p);
      break;
    case vpd::kSerial: d.insert(d.end(), id_.serial.begin(), id_.serial.end()); break;
    case vpd::kDeviceId: {
      // An NAA designator for the LU, then a T10 vendor ID designator (vendor + product + serial).
      const std::size_t naa = d.size();
      d.resize(naa + vpd::kDesignatorHeader + vpd::kNaaBytes, 0);
      d[naa] = vpd::kBinary;
      d[naa + 1] = vpd::kTypeNaa;
      d[naa + 3] = vpd::kNaaBytes;
      store_be<vpd::kNaaBytes>(&d[naa + vpd::kDesignatorHeader], id_.naa);
      const std::size_t t10 = d.size();
      const std::string text = std::string(id_.vendor).append(kVendorBytes - std::min(kVendorBytes, id_.vendor.size()), ' ') +
                               id_.product + id_.serial;
      d.resize(t10 + vpd::kDesignatorHeader, 0);
      d[t10] = vpd::kAscii;
      d[t10 + 1] = vpd::kTypeT10Vendor;
      d[t10 + 3] = static_cast<std::uint8_t>(text.size());
      d.insert(d.end(), text.begin(), text.end());
      break;
    }
    case vpd::kBlockLimits:
      d.resize(kVpdHeaderBytes + vpd::kLimitsPageLength, 0);
      store_be<4>(&d[vpd::kMaxTransferAt], vpd::kMaxTransferBlocks);
      store_be<4>(&d[vpd::kOptimalTransferAt], vpd::kOptimalTransferBlocks);
      break;
    case vpd::kBlockCharacteristics:
      d.resize(kVpdHeaderBytes + vpd::kLimitsPageLength, 0);
      store_be<2>(&d[vpd::kRotationRateAt], vpd::kNonRotating);
      break;
    default: return ScsiResult::check_condition(SenseData::invalid_field_in_cdb());
  }
  store_be<2>(&d[2], d.size() - kVpdHeaderBytes);
  return r;
}

ScsiResult Lun::mode_sense(const Command& c, const std::uint8_t* cdb) const {
  const bool ten = c.opcode == op::kModeSense10;
  const std::uint8_t page = c.page_code & mode::kPageMask;
  const bool dbd = (cdb[1] & mode::kDbd) != 0;
  std::vector<std::uint8_t> pages;
  if (page == mode::kCaching || page == mode::kAll) {
    std::vector<std::uint8_t> p(mode::kCachingBytes, 0);  // WCE=0: writes reach RAM before GOOD
    p[0] = mode::kCaching;
    p[1] = static_cast<std::uint8_t>(mode::kCachingBytes - 2);
    pages.insert(pages.end(), p.begin(), p.end());
  }
  if (page == mode::kControl || page == mode::kAll) {
    std::vector<std::uint8_t> p(mode::kControlBytes, 0);
    p[0] = mode::kControl;
    p[1] = static_cast<std::uint8_t>(mode::kControlBytes - 2);
    pages.insert(pages.end(), p.begin(), p.end());
  }
  if (pages.empty()) return ScsiResult::check_condition(SenseData::invalid_field_in_cdb());
  const std::size_t header = ten ? mode::kHeader10 : mode::kHeader6;
  const std::size_t descriptor = dbd ? 0 : mode::kBlockDescriptorBytes;
  ScsiResult r;
  std::vector<std::uint8_t>& d = r.data_in;
  d.assign(header + descriptor, 0);
  if (descriptor > 0) {
    store_be<4>(&d[header], std::min<std::uint64_t>(blocks_, kMax32));
    store_be<3>(&d[header + 5], block_bytes_);
  }
  d.insert(d.end(), pages.begin(), pages.end());
  if (ten) {
    store_be<2>(&d[0], d.size() - 2);
    store_be<2>(&d[6], descriptor);
  } else {
    d[0] = static_cast<std::uint8_t>(d.size() - 1);
    d[3] = static_cast<std::uint8_t>(descriptor);
  }
  truncate_to(r, c.allocation_length);
  return r;
}

ScsiResult Lun::read_capacity(bool sixteen) const {
  ScsiResult r;
  const std::uint64_t last = blocks_ - 1;
  if (sixteen) {
    r.data_in.assign(kCapacity16Bytes, 0);
    store_be<8>(&r.data_in[0], last);
    store_be<4>(&r.data_in[8], block_bytes_);
  } else {
    r.data_in.assign(kCapacity10Bytes, 0);
    store_be<4>(&r.data_in[0], std::min(last, kMax32));  // 0xFFFFFFFF: ask READ CAPACITY (16)
    store_be<4>(&r.data_in[4], block_bytes_);
  }
  return r;
}

ScsiResult Lun::read_write(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len) {
  if (c.lba + c.blocks > blocks_ || (c.blocks == 0 && c.lba >= blocks_)) return fail(SenseData::lba_out_of_range());
  const std::size_t bytes = std::size_t{c.blocks} * block_bytes_;
  ScsiResult r;
  if (c.kind == CommandKind::Read) {
    r.data_in.resize(bytes);
    store_.read(c.lba * block_bytes_, r.data_in.data(), bytes);
    return r;
  }
  if (data_out_len != bytes) return fail(SenseData::invalid_field_in_cdb());
  store_.write(c.lba * block_bytes_, data_out, bytes);
  return r;
}

}  // namespace iscsim::stack::scsi
