#include "sim/stack/scsi/Cdb.hpp"

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::scsi {

namespace {

constexpr std::uint8_t kGroupShift = 5;  // SPC-4 4.2.5.1: the top 3 bits of the opcode
constexpr std::uint8_t kEvpdBit = 0x01;
constexpr std::uint8_t kServiceActionMask = 0x1F;

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
      c.kind = CommandKind::ModeSense;
      c.page_code = cdb[2];
      c.allocation_length = cdb[4];
      break;
    case op::kModeSense10:
      c.kind = CommandKind::ModeSense;
      c.page_code = cdb[2];
      c.allocation_length = static_cast<std::uint32_t>(load_be<2>(cdb + 7));
      break;
    case op::kReadCapacity10: c.kind = CommandKind::ReadCapacity10; break;
    case op::kRead10:
    case op::kWrite10:
      c.kind = c.opcode == op::kRead10 ? CommandKind::Read : CommandKind::Write;
      c.lba = load_be<4>(cdb + 2);
      c.blocks = static_cast<std::uint32_t>(load_be<2>(cdb + 7));
      break;
    case op::kRead16:
    case op::kWrite16:
      c.kind = c.opcode == op::kRead16 ? CommandKind::Read : CommandKind::Write;
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
