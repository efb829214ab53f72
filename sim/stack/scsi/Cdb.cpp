#include "sim/stack/scsi/Cdb.hpp"

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {

constexpr std::uint8_t kGroupShift = 5;  // SPC-4 4.2.5.1: the top 3 bits of the opcode
constexpr std::uint8_t kEvpdBit = 0x01;
constexpr std::uint8_t kServiceActionMask = 0x1F;
constexpr std::uint8_t kDescBit = 0x01;        // REQUEST SENSE byte 1
constexpr std::uint8_t kDbdBit = 0x08;         // MODE SENSE byte 1
constexpr std::uint8_t kPageCodeMask = 0x3F;   // MODE SENSE byte 2, below the PC bits
constexpr unsigned kPageControlShift = 6;
constexpr std::uint8_t kFuaBit = 0x08;         // READ/WRITE byte 1
constexpr unsigned kProtectShift = 5;          // READ/WRITE byte 1: RDPROTECT/WRPROTECT

// The fields MODE SENSE (6) and (10) share.
void parse_mode_sense(Command& c, const std::uint8_t* cdb) {
  c.kind = CommandKind::ModeSense;
  c.dbd = (cdb[1] & kDbdBit) != 0;
  c.page_code = cdb[2] & kPageCodeMask;
  c.page_control = static_cast<std::uint8_t>(cdb[2] >> kPageControlShift);
  c.subpage_code = cdb[3];
}

// The fields READ and WRITE (10) and (16) share.
void parse_read_write(Command& c, const std::uint8_t* cdb, bool read) {
  c.kind = read ? CommandKind::Read : CommandKind::Write;
  c.fua = (cdb[1] & kFuaBit) != 0;
  c.protect = static_cast<std::uint8_t>(cdb[1] >> kProtectShift);
}

// CDB length by opcode group (SPC-4 table 3); 0 for vendor-specific or reserved groups.
std::size_t cdb_length(std::uint8_t opcode) {
  switch (opcode >> kGroupShift) {
    case 0: return 6;
    case 1:
    case 2: return 10;
    case 4: return 16;
    case 5: return 12;
    default: return 0;
  }
}

}  // namespace

Command parse_cdb(const std::uint8_t* cdb, std::size_t len) {
  Command c;
  if (len == 0) {
    c.error = "empty CDB";
    return c;
  }
  c.opcode = cdb[0];
  const std::size_t need = cdb_length(c.opcode);
  if (need == 0 || len < need) {
    c.kind = CommandKind::Unsupported;
    if (need != 0) c.error = "CDB shorter than its opcode group";
    return c;
  }
  switch (c.opcode) {
    case op::kTestUnitReady: c.kind = CommandKind::TestUnitReady; break;
    case op::kRequestSense:
      c.kind = CommandKind::RequestSense;
      c.desc = (cdb[1] & kDescBit) != 0;
      c.allocation_length = cdb[4];
      break;
    case op::kInquiry:
      c.kind = CommandKind::Inquiry;
      c.evpd = (cdb[1] & kEvpdBit) != 0;
      c.page_code = cdb[2];
      c.allocation_length = static_cast<std::uint32_t>(load_be<2>(cdb + 3));
      if (!c.evpd && c.page_code != 0) c.error = "INQUIRY page code without EVPD";
      break;
    case op::kModeSense6:
      parse_mode_sense(c, cdb);
      c.allocation_length = cdb[4];
      break;
    case op::kModeSense10:
      parse_mode_sense(c, cdb);
      c.allocation_length = static_cast<std::uint32_t>(load_be<2>(cdb + 7));
      break;
    case op::kReadCapacity10: c.kind = CommandKind::ReadCapacity10; break;
    case op::kRead10:
    case op::kWrite10:
      parse_read_write(c, cdb, c.opcode == op::kRead10);
      c.lba = load_be<4>(cdb + 2);
      c.blocks = static_cast<std::uint32_t>(load_be<2>(cdb + 7));
      break;
    case op::kRead16:
    case op::kWrite16:
      parse_read_write(c, cdb, c.opcode == op::kRead16);
      c.lba = load_be<8>(cdb + 2);
      c.blocks = static_cast<std::uint32_t>(load_be<4>(cdb + 10));
      break;
    case op::kSynchronizeCache10:
      c.kind = CommandKind::SynchronizeCache;
      c.lba = load_be<4>(cdb + 2);
      c.blocks = static_cast<std::uint32_t>(load_be<2>(cdb + 7));
      break;
    case op::kSynchronizeCache16:
      c.kind = CommandKind::SynchronizeCache;
      c.lba = load_be<8>(cdb + 2);
      c.blocks = static_cast<std::uint32_t>(load_be<4>(cdb + 10));
      break;
    case op::kServiceActionIn16:
      if ((cdb[1] & kServiceActionMask) == op::kReadCapacity16Action) {
        c.kind = CommandKind::ReadCapacity16;
        c.allocation_length = static_cast<std::uint32_t>(load_be<4>(cdb + 10));
      } else {
        c.error = "unsupported SERVICE ACTION IN (16) service action";  // SPC-4: invalid field, not opcode
      }
      break;
    case op::kReportLuns:
      c.kind = CommandKind::ReportLuns;
      c.allocation_length = static_cast<std::uint32_t>(load_be<4>(cdb + 6));
      break;
    default: break;
  }
  return c;
}

std::array<std::uint8_t, 16> read_cdb(std::uint64_t lba, std::uint32_t blocks, bool use16) {
  std::array<std::uint8_t, 16> c{};
  c[0] = use16 ? op::kRead16 : op::kRead10;
  if (use16) {
    store_be<8>(c.data() + 2, lba);
    store_be<4>(c.data() + 10, blocks);
  } else {
    store_be<4>(c.data() + 2, lba);
    store_be<2>(c.data() + 7, blocks);
  }
  return c;
}

std::array<std::uint8_t, 16> write_cdb(std::uint64_t lba, std::uint32_t blocks, bool use16) {
  std::array<std::uint8_t, 16> c = read_cdb(lba, blocks, use16);
  c[0] = use16 ? op::kWrite16 : op::kWrite10;
  return c;
}

std::array<std::uint8_t, 16> inquiry_cdb(bool evpd, std::uint8_t page, std::uint16_t allocation) {
  std::array<std::uint8_t, 16> c{};
  c[0] = op::kInquiry;
  c[1] = evpd ? kEvpdBit : 0;
  c[2] = page;
  store_be<2>(c.data() + 3, allocation);
  return c;
}

std::array<std::uint8_t, 16> read_capacity16_cdb(std::uint32_t allocation) {
  std::array<std::uint8_t, 16> c{};
  c[0] = op::kServiceActionIn16;
  c[1] = op::kReadCapacity16Action;
  store_be<4>(c.data() + 10, allocation);
  return c;
}

std::array<std::uint8_t, 16> simple_cdb(std::uint8_t opcode) {
  std::array<std::uint8_t, 16> c{};
  c[0] = opcode;
  return c;
}

}  // namespace iscsim::stack::scsi
