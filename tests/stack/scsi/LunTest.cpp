// The RAM-disk LUN and the SCSI target: each command's happy path, each refusal with its exact
// sense, real bytes written and read back, and what an absent LUN answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/stack/common/BigEndian.hpp"
#include "sim/stack/scsi/ScsiTarget.hpp"

namespace iscsim::stack::scsi {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint64_t kBlocks = 16384;  // 8 MiB of 512-byte blocks
constexpr std::uint32_t kBlock = 512;

Lun make_lun(std::uint64_t blocks = kBlocks, std::uint32_t block = kBlock) {
  return Lun(LunIdentity{}, blocks * block, block);
}

// A CDB from its leading bytes, zero padded to 16 (every parser length is satisfied).
Bytes cdb(std::initializer_list<std::uint8_t> bytes) {
  Bytes c(16, 0);
  std::copy(bytes.begin(), bytes.end(), c.begin());
  return c;
}
Bytes cdb(const std::array<std::uint8_t, 16>& a) { return Bytes(a.begin(), a.end()); }

ScsiResult run(Lun& lun, const Bytes& c, const Bytes& out = {}) {
  return lun.execute(c.data(), c.size(), out.data(), out.size());
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(seed + i * 13);
  return v;
}

void expect_sense(const ScsiResult& r, std::uint8_t key, std::uint8_t asc_code, std::uint8_t ascq) {
  ASSERT_EQ(r.status, Status::CheckCondition);
  ASSERT_EQ(r.sense.size(), 18u);
  EXPECT_EQ(r.sense[0], 0x70);
  EXPECT_EQ(r.sense[2], key);
  EXPECT_EQ(r.sense[7], 10);
  EXPECT_EQ(r.sense[12], asc_code);
  EXPECT_EQ(r.sense[13], ascq);
  EXPECT_TRUE(r.data_in.empty());
}

// --- happy paths ----------------------------------------------------------------------------

struct GoodCase {
  const char* name;
  Bytes cdb;
  std::size_t data_in;
};

class LunGood : public ::testing::TestWithParam<GoodCase> {};

TEST_P(LunGood, GoodWithDataOfTheExpectedLength) {
  Lun lun = make_lun();
  const ScsiResult r = run(lun, GetParam().cdb);
  EXPECT_EQ(r.status, Status::Good);
  EXPECT_TRUE(r.sense.empty());
  EXPECT_EQ(r.data_in.size(), GetParam().data_in);
}

INSTANTIATE_TEST_SUITE_P(
    Commands, LunGood,
    ::testing::Values(
        GoodCase{"test_unit_ready", cdb({0x00}), 0}, GoodCase{"request_sense", cdb({0x03, 0, 0, 0, 252}), 18},
        GoodCase{"request_sense_desc", cdb({0x03, 0x01, 0, 0, 252}), 8},
        GoodCase{"inquiry", cdb(inquiry_cdb(false, 0, 255)), 96},
        GoodCase{"vpd_supported", cdb(inquiry_cdb(true, 0x00, 255)), 9},
        GoodCase{"vpd_serial", cdb(inquiry_cdb(true, 0x80, 255)), 12},
        GoodCase{"vpd_device_id", cdb(inquiry_cdb(true, 0x83, 255)), 4 + 12 + 4 + 32},
        GoodCase{"vpd_block_limits", cdb(inquiry_cdb(true, 0xB0, 255)), 64},
        GoodCase{"vpd_characteristics", cdb(inquiry_cdb(true, 0xB1, 255)), 64},
        GoodCase{"read_capacity10", cdb({0x25}), 8}, GoodCase{"read_capacity16", cdb(read_capacity16_cdb(255)), 32},
        GoodCase{"mode_sense6_all", cdb({0x1A, 0, 0x3F, 0, 255}), 4 + 8 + 20 + 12},
        GoodCase{"mode_sense6_all_subpages", cdb({0x1A, 0, 0x3F, 0xFF, 255}), 4 + 8 + 20 + 12},
        GoodCase{"mode_sense6_caching", cdb({0x1A, 0, 0x08, 0, 255}), 4 + 8 + 20},
        GoodCase{"mode_sense6_control_dbd", cdb({0x1A, 0x08, 0x0A, 0, 255}), 4 + 12},
        GoodCase{"mode_sense10_all", cdb({0x5A, 0, 0x3F, 0, 0, 0, 0, 0, 255}), 8 + 8 + 20 + 12},
        GoodCase{"mode_sense_changeable", cdb({0x1A, 0x08, 0x7F, 0, 255}), 4 + 20 + 12},
        GoodCase{"mode_sense_default", cdb({0x1A, 0x08, 0xBF, 0, 255}), 4 + 20 + 12},
        GoodCase{"sync_cache10", cdb({0x35, 0, 0, 0, 0, 0, 0, 0, 8}), 0},
        GoodCase{"sync_cache10_to_end", cdb({0x35, 0, 0, 0, 0x3F, 0xFF}), 0},
        GoodCase{"sync_cache16", cdb({0x91, 0, 0, 0, 0, 0, 0, 0, 0x3F, 0xF0, 0, 0, 0, 0x10}), 0},
        GoodCase{"read10", cdb(read_cdb(0, 1, false)), 512}, GoodCase{"read16", cdb(read_cdb(kBlocks - 4, 4, true)), 2048},
        GoodCase{"read_fua", cdb({0x28, 0x08, 0, 0, 0, 0, 0, 0, 1}), 512},
        GoodCase{"read_zero_blocks", cdb(read_cdb(kBlocks - 1, 0, false)), 0},
        GoodCase{"write_zero_blocks", cdb(write_cdb(5, 0, true)), 0}),
    [](const auto& info) { return std::string(info.param.name); });

// --- refusals -------------------------------------------------------------------------------

struct RefusalCase {
  const char* name;
  Bytes cdb;
  std::size_t cdb_len;  // 0: all 16 bytes
  std::size_t data_out;
  std::uint8_t key, asc, ascq;
};

class LunRefusals : public ::testing::TestWithParam<RefusalCase> {};

TEST_P(LunRefusals, CheckConditionWithExactSense) {
  Lun lun = make_lun();
  const RefusalCase& c = GetParam();
  const Bytes out(c.data_out, 0xAB);
  const ScsiResult r = lun.execute(c.cdb.data(), c.cdb_len ? c.cdb_len : c.cdb.size(), out.data(), out.size());
  expect_sense(r, c.key, c.asc, c.ascq);
  EXPECT_EQ(lun.store().resident_pages(), 0u);  // nothing refused was written
}

constexpr std::uint8_t kIllegal = 0x05;
constexpr std::uint64_t kMaxLba = ~std::uint64_t{0};

INSTANTIATE_TEST_SUITE_P(
    Commands, LunRefusals,
    ::testing::Values(
        RefusalCase{"read6_unsupported", cdb({0x08, 0, 0, 0, 1}), 0, 0, kIllegal, 0x20, 0},
        RefusalCase{"vendor_opcode", cdb({0xC7}), 0, 0, kIllegal, 0x20, 0},
        RefusalCase{"report_luns_without_target", cdb({0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0}), 0, 0, kIllegal, 0x20, 0},
        RefusalCase{"short_read10", cdb(read_cdb(0, 1, false)), 6, 0, kIllegal, 0x24, 0},
        RefusalCase{"unknown_service_action", cdb({0x9E, 0x11}), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"read_past_end", cdb(read_cdb(kBlocks - 1, 2, false)), 0, 0, kIllegal, 0x21, 0},
        RefusalCase{"read_lba_wraps", cdb(read_cdb(kMaxLba, 2, true)), 0, 0, kIllegal, 0x21, 0},
        RefusalCase{"read_zero_at_capacity", cdb(read_cdb(kBlocks, 0, false)), 0, 0, kIllegal, 0x21, 0},
        RefusalCase{"write_past_end", cdb(write_cdb(kBlocks, 1, true)), 0, 512, kIllegal, 0x21, 0},
        RefusalCase{"write_part_of_a_block", cdb(write_cdb(0, 1, false)), 0, 200, kIllegal, 0x0E, 0x03},
        RefusalCase{"read_rdprotect", cdb({0x28, 0x20, 0, 0, 0, 0, 0, 0, 1}), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"read_over_max_transfer", cdb(read_cdb(0, 65537, true)), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"inquiry_unknown_vpd", cdb(inquiry_cdb(true, 0x42, 255)), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"inquiry_vpd_b2_absent", cdb(inquiry_cdb(true, 0xB2, 255)), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"inquiry_page_without_evpd", cdb({0x12, 0, 0x80, 0, 0xFF}), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"mode_sense_unknown_page", cdb({0x1A, 0, 0x19, 0, 0xFF}), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"mode_sense_subpage", cdb({0x1A, 0, 0x08, 0x01, 0xFF}), 0, 0, kIllegal, 0x24, 0},
        RefusalCase{"mode_sense_saved", cdb({0x5A, 0, 0xC8, 0, 0, 0, 0, 0, 0xFF}), 0, 0, kIllegal, 0x39, 0},
        RefusalCase{"sync_past_end", cdb({0x35, 0, 0, 0, 0x40, 0, 0, 0, 1}), 0, 0, kIllegal, 0x21, 0}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(LunTest, EmptyCdbIsAnInvalidField) {
  Lun lun = make_lun();
  expect_sense(lun.execute(nullptr, 0, nullptr, 0), kIllegal, 0x24, 0);
}

// --- data -----------------------------------------------------------------------------------

TEST(LunTest, WritesThenReadsRealBytesIn10And16ByteForms) {
  Lun lun = make_lun();
  const Bytes a = pattern(8 * kBlock, 1), b = pattern(300 * kBlock, 2);  // b crosses store pages
  ASSERT_EQ(run(lun, cdb(write_cdb(100, 8, false)), a).status, Status::Good);
  ASSERT_EQ(run(lun, cdb(write_cdb(1000, 300, true)), b).status, Status::Good);
  EXPECT_EQ(run(lun, cdb(read_cdb(100, 8, true))).data_in, a);
  EXPECT_EQ(run(lun, cdb(read_cdb(1000, 300, false))).data_in, b);
  // A read straddling written and unwritten blocks.
  const Bytes mixed = run(lun, cdb(read_cdb(107, 2, false))).data_in;
  EXPECT_TRUE(std::equal(a.end() - kBlock, a.end(), mixed.begin()));
  EXPECT_TRUE(std::all_of(mixed.begin() + kBlock, mixed.end(), [](std::uint8_t x) { return x == 0; }));
}

// libiscsi's iSCSIResiduals tests (found by wire-mode interop): an initiator may announce less or
// more data than the CDB asks for; the LUN writes the whole blocks it got, up to the CDB's length,
// and says what the CDB wanted so the transport can report the residual.
TEST(LunTest, WriteTakesTheWholeBlocksItIsGivenUpToItsTransferLength) {
  Lun lun = make_lun();
  ASSERT_EQ(run(lun, cdb(write_cdb(0, 2, false)), pattern(2 * kBlock, 'a')).status, Status::Good);
  const ScsiResult shorter = run(lun, cdb(write_cdb(0, 2, false)), pattern(kBlock, 'b'));
  EXPECT_EQ(shorter.status, Status::Good);
  EXPECT_EQ(shorter.data_out_wanted, 2 * kBlock);
  Bytes want = pattern(kBlock, 'b');
  const Bytes a = pattern(2 * kBlock, 'a');
  want.insert(want.end(), a.begin() + kBlock, a.end());
  EXPECT_EQ(run(lun, cdb(read_cdb(0, 2, false))).data_in, want);  // the second block kept its 'a'

  const ScsiResult longer = run(lun, cdb(write_cdb(4, 1, false)), pattern(3 * kBlock, 'c'));
  EXPECT_EQ(longer.status, Status::Good);
  EXPECT_EQ(longer.data_out_wanted, kBlock);
  EXPECT_EQ(run(lun, cdb(read_cdb(4, 2, false))).data_in, [&] {
    Bytes b = pattern(kBlock, 'c');
    b.resize(2 * kBlock, 0);  // the block after it untouched
    return b;
  }());

  const ScsiResult none = run(lun, cdb(write_cdb(8, 1, false)));
  EXPECT_EQ(none.status, Status::Good);
  EXPECT_EQ(none.data_out_wanted, kBlock);
  EXPECT_EQ(run(lun, cdb(read_cdb(0, 2, false))).data_in, want);
  EXPECT_FALSE(run(lun, cdb(read_cdb(0, 1, false))).data_out_wanted.has_value());
}

TEST(LunTest, AReadIntoARecycledBufferGivesTheSameBytes) {
  // Recycled buffers hold stale bytes and other sizes: larger, smaller, and one of another read.
  Lun lun = make_lun();
  const Bytes a = pattern(8 * kBlock, 5);
  ASSERT_EQ(run(lun, cdb(write_cdb(10, 8, false)), a).status, Status::Good);
  for (const std::size_t stale : {std::size_t{20} * kBlock, std::size_t{3} * kBlock}) {
    lun.recycle(Bytes(stale, 0xEE));
    EXPECT_EQ(run(lun, cdb(read_cdb(10, 8, false))).data_in, a);
  }
  lun.recycle(run(lun, cdb(read_cdb(10, 8, false))).data_in);
  const ScsiResult unwritten = run(lun, cdb(read_cdb(200, 8, false)));
  EXPECT_EQ(unwritten.data_in, Bytes(8 * kBlock, 0));
}

TEST(LunTest, UnwrittenBlocksReadZeroAndAllocateNothing) {
  Lun lun = make_lun();
  const ScsiResult r = run(lun, cdb(read_cdb(0, 2048, true)));
  ASSERT_EQ(r.data_in.size(), 2048u * kBlock);
  EXPECT_TRUE(std::all_of(r.data_in.begin(), r.data_in.end(), [](std::uint8_t x) { return x == 0; }));
  EXPECT_EQ(lun.store().resident_pages(), 0u);
  ASSERT_EQ(run(lun, cdb(write_cdb(0, 1, false)), pattern(kBlock, 9)).status, Status::Good);
  EXPECT_EQ(lun.store().resident_pages(), 1u);
}

TEST(LunTest, ExpectedDataOutIsWhatAWriteCarries) {
  const Lun lun = make_lun();
  const auto w = write_cdb(10, 8, false);
  EXPECT_EQ(lun.expected_data_out(parse_cdb(w.data(), 10)), 8u * kBlock);
  const auto r = read_cdb(10, 8, false);
  EXPECT_EQ(lun.expected_data_out(parse_cdb(r.data(), 10)), 0u);
  const auto out = write_cdb(kBlocks, 1, true);  // refused whatever its data
  EXPECT_EQ(lun.expected_data_out(parse_cdb(out.data(), 16)), 0u);
}

// --- parameter data -------------------------------------------------------------------------

TEST(LunTest, ReadCapacityReportsLastLbaAndBlockSize) {
  Lun lun = make_lun();
  const Bytes r10 = run(lun, cdb({0x25})).data_in;
  EXPECT_EQ(load_be<4>(&r10[0]), kBlocks - 1);
  EXPECT_EQ(load_be<4>(&r10[4]), kBlock);
  const Bytes r16 = run(lun, cdb(read_capacity16_cdb(32))).data_in;
  EXPECT_EQ(load_be<8>(&r16[0]), kBlocks - 1);
  EXPECT_EQ(load_be<4>(&r16[8]), kBlock);
  EXPECT_EQ(run(lun, cdb(read_capacity16_cdb(12))).data_in.size(), 12u);
}

TEST(LunTest, ReadCapacity10SaturatesBeyondThirtyTwoBits) {
  const std::uint64_t blocks = (std::uint64_t{1} << 32) + 10;
  Lun lun = make_lun(blocks, 4096);
  const Bytes r10 = run(lun, cdb({0x25})).data_in;
  EXPECT_EQ(load_be<4>(&r10[0]), 0xFFFFFFFFu);
  EXPECT_EQ(load_be<4>(&r10[4]), 4096u);
  EXPECT_EQ(load_be<8>(&run(lun, cdb(read_capacity16_cdb(32))).data_in[0]), blocks - 1);
  // And the far end of the disk is addressable with 16-byte CDBs.
  ASSERT_EQ(run(lun, cdb(write_cdb(blocks - 1, 1, true)), pattern(4096, 4)).status, Status::Good);
  EXPECT_EQ(run(lun, cdb(read_cdb(blocks - 1, 1, true))).data_in, pattern(4096, 4));
}

TEST(LunTest, InquiryStandardDataAndTruncation) {
  Lun lun = make_lun();
  const Bytes d = run(lun, cdb(inquiry_cdb(false, 0, 255))).data_in;
  ASSERT_EQ(d.size(), 96u);
  EXPECT_EQ(d[0], 0x00);  // connected direct-access device
  EXPECT_EQ(d[2], 0x06);  // SPC-4
  EXPECT_EQ(d[3], 0x02);
  EXPECT_EQ(d[4], 91);
  EXPECT_EQ(std::string(d.begin() + 8, d.begin() + 16), "ISCSIM  ");
  EXPECT_EQ(std::string(d.begin() + 16, d.begin() + 32), "RAMDISK         ");
  EXPECT_EQ(std::string(d.begin() + 32, d.begin() + 36), "0001");
  // Version descriptors (found by wire-mode interop: libiscsi checks for SBC-3 there).
  EXPECT_EQ(load_be<2>(&d[58]), 0x00A0u);  // SAM-5
  EXPECT_EQ(load_be<2>(&d[60]), 0x0960u);  // iSCSI
  EXPECT_EQ(load_be<2>(&d[62]), 0x0460u);  // SPC-4
  EXPECT_EQ(load_be<2>(&d[64]), 0x04C0u);  // SBC-3
  for (std::uint16_t alloc : {0, 1, 5, 35, 36, 37, 96, 97}) {
    const Bytes t = run(lun, cdb(inquiry_cdb(false, 0, alloc))).data_in;
    EXPECT_EQ(t.size(), std::min<std::size_t>(alloc, 96));
    EXPECT_TRUE(std::equal(t.begin(), t.end(), d.begin()));
  }
  EXPECT_EQ(run(lun, cdb(inquiry_cdb(true, 0x83, 10))).data_in.size(), 10u);
  EXPECT_EQ(run(lun, cdb({0x1A, 0, 0x3F, 0, 6})).data_in.size(), 6u);
  EXPECT_EQ(run(lun, cdb({0x03, 0, 0, 0, 7})).data_in.size(), 7u);
}

TEST(LunTest, VpdSupportedPagesListsExactlyThePagesServed) {
  Lun lun = make_lun();
  const Bytes list = run(lun, cdb(inquiry_cdb(true, 0x00, 255))).data_in;
  ASSERT_EQ(load_be<2>(&list[2]), list.size() - 4);
  EXPECT_EQ(Bytes(list.begin() + 4, list.end()), (Bytes{0x00, 0x80, 0x83, 0xB0, 0xB1}));
  for (std::size_t i = 4; i < list.size(); ++i) {
    const ScsiResult page = run(lun, cdb(inquiry_cdb(true, list[i], 255)));
    ASSERT_EQ(page.status, Status::Good) << int(list[i]);
    EXPECT_EQ(page.data_in[1], list[i]);
    EXPECT_EQ(load_be<2>(&page.data_in[2]), page.data_in.size() - 4);
  }
}

TEST(LunTest, VpdPagesCarryIdentityAndLimits) {
  LunIdentity id;
  id.serial = "SN0042";
  id.naa = 0x3123456789ABCDEFull;
  Lun lun(id, kBlocks * kBlock);
  const Bytes serial = run(lun, cdb(inquiry_cdb(true, 0x80, 255))).data_in;
  EXPECT_EQ(std::string(serial.begin() + 4, serial.end()), "SN0042");
  const Bytes dev = run(lun, cdb(inquiry_cdb(true, 0x83, 255))).data_in;
  EXPECT_EQ(dev[4], 0x01);  // binary
  EXPECT_EQ(dev[5], 0x03);  // LU association, NAA
  EXPECT_EQ(dev[7], 8);
  EXPECT_EQ(load_be<8>(&dev[8]), id.naa);
  EXPECT_EQ(dev[16], 0x02);  // ASCII
  EXPECT_EQ(dev[17], 0x01);  // T10 vendor ID
  EXPECT_EQ(std::string(dev.begin() + 20, dev.end()), "ISCSIM  RAMDISK         SN0042");
  const Bytes limits = run(lun, cdb(inquiry_cdb(true, 0xB0, 255))).data_in;
  EXPECT_EQ(load_be<4>(&limits[8]), lun.max_transfer_blocks());
  EXPECT_EQ(lun.max_transfer_blocks(), 65536u);
  EXPECT_EQ(load_be<4>(&limits[12]), 128u);  // one 64 KiB store page
  const Bytes chars = run(lun, cdb(inquiry_cdb(true, 0xB1, 255))).data_in;
  EXPECT_EQ(load_be<2>(&chars[4]), 1u);  // non-rotating medium
}

TEST(LunTest, ModeSenseHeadersBlockDescriptorAndPages) {
  Lun lun = make_lun();
  const Bytes six = run(lun, cdb({0x1A, 0, 0x3F, 0, 255})).data_in;
  EXPECT_EQ(six[0] + 1u, six.size());
  EXPECT_EQ(six[2], 0x10);  // DPOFUA
  EXPECT_EQ(six[3], 8);     // block descriptor length
  EXPECT_EQ(load_be<4>(&six[4]), kBlocks);
  EXPECT_EQ(load_be<3>(&six[9]), kBlock);
  EXPECT_EQ(six[12], 0x08);  // caching page
  EXPECT_EQ(six[13], 18);
  EXPECT_EQ(six[14] & 0x04, 0);  // WCE=0: no volatile write cache
  EXPECT_EQ(six[32], 0x0A);  // control page
  EXPECT_EQ(six[33], 10);
  const Bytes ten = run(lun, cdb({0x5A, 0x08, 0x08, 0, 0, 0, 0, 0, 255})).data_in;
  EXPECT_EQ(load_be<2>(&ten[0]) + 2u, ten.size());
  EXPECT_EQ(load_be<2>(&ten[6]), 0u);  // DBD: no descriptor
  EXPECT_EQ(ten[8], 0x08);
}

// --- REQUEST SENSE --------------------------------------------------------------------------

TEST(LunTest, RequestSenseReturnsTheLastCheckConditionOnce) {
  Lun lun = make_lun();
  const Bytes rs = cdb({0x03, 0, 0, 0, 18});
  EXPECT_EQ(run(lun, rs).data_in, SenseData::no_sense().fixed_format());
  run(lun, cdb(read_cdb(kBlocks, 1, false)));
  EXPECT_EQ(run(lun, rs).data_in, SenseData::lba_out_of_range().fixed_format());
  EXPECT_EQ(run(lun, rs).data_in, SenseData::no_sense().fixed_format());
  // A later GOOD command supersedes the condition.
  run(lun, cdb({0xC7}));
  run(lun, cdb({0x00}));
  EXPECT_EQ(run(lun, rs).data_in, SenseData::no_sense().fixed_format());
  // Descriptor format on request.
  run(lun, cdb(inquiry_cdb(true, 0x42, 255)));
  const Bytes desc = run(lun, cdb({0x03, 0x01, 0, 0, 255})).data_in;
  EXPECT_EQ(desc, (Bytes{0x72, 0x05, 0x24, 0x00, 0, 0, 0, 0}));
}

// --- the target -----------------------------------------------------------------------------

ScsiResult run(ScsiTarget& t, std::uint64_t lun, const Bytes& c, const Bytes& out = {}) {
  return t.execute(lun, c.data(), c.size(), out.data(), out.size());
}

ScsiTarget two_lun_target() {
  ScsiTarget t;
  t.add_lun(0, make_lun());
  t.add_lun(2, make_lun(64));
  return t;
}

TEST(ScsiTargetTest, ReportLunsListsEveryLunFromAnyLunNumber) {
  ScsiTarget t = two_lun_target();
  for (std::uint64_t asked : {0, 2, 9}) {
    const ScsiResult r = run(t, asked, cdb({0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0}));
    ASSERT_EQ(r.status, Status::Good);
    ASSERT_EQ(r.data_in.size(), 24u);
    EXPECT_EQ(load_be<4>(&r.data_in[0]), 16u);
    EXPECT_EQ(load_be<8>(&r.data_in[8]), 0u);
    EXPECT_EQ(load_be<8>(&r.data_in[16]), lun_field(2));
    EXPECT_EQ(r.data_in[17], 2);
  }
  // Truncated at the allocation length; the list length still tells the whole size.
  const ScsiResult shortened = run(t, 0, cdb({0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16}));
  ASSERT_EQ(shortened.data_in.size(), 16u);
  EXPECT_EQ(load_be<4>(&shortened.data_in[0]), 16u);
}

TEST(ScsiTargetTest, LunFieldsRoundTripInPeripheralAndFlatAddressing) {
  for (std::uint64_t n : {0u, 1u, 255u, 256u, 300u, 0x3FFFu}) EXPECT_EQ(lun_number(lun_field(n)), n) << n;
  EXPECT_EQ(lun_field(1), 0x0001000000000000ull);
  EXPECT_EQ(lun_field(300), 0x412C000000000000ull);
  EXPECT_EQ(lun_number(0x0101000000000000ull), kInvalidLunNumber);  // bus 1
  EXPECT_EQ(lun_number(0x0001000000000001ull), kInvalidLunNumber);  // second level
  EXPECT_EQ(lun_number(0xC000000000000000ull), kInvalidLunNumber);  // extended addressing
}

TEST(ScsiTargetTest, AbsentLunAnswersAsSam5Requires) {
  ScsiTarget t = two_lun_target();
  const ScsiResult inq = run(t, 5, cdb(inquiry_cdb(false, 0, 255)));
  ASSERT_EQ(inq.status, Status::Good);
  ASSERT_EQ(inq.data_in.size(), 96u);
  EXPECT_EQ(inq.data_in[0], 0x7F);  // qualifier 011b, type 1Fh
  EXPECT_EQ(run(t, 5, cdb(inquiry_cdb(false, 0, 4))).data_in.size(), 4u);
  const ScsiResult rs = run(t, 5, cdb({0x03, 0, 0, 0, 18}));
  ASSERT_EQ(rs.status, Status::Good);  // the sense arrives as data
  EXPECT_EQ(rs.data_in, SenseData::lun_not_supported().fixed_format());
  for (const Bytes& c : {cdb({0x00}), cdb(read_cdb(0, 1, false)), cdb(inquiry_cdb(true, 0x80, 255)), cdb({0x25})})
    expect_sense(run(t, 5, c), kIllegal, 0x25, 0);
  EXPECT_EQ(t.expected_data_out(5, cdb(write_cdb(0, 1, false)).data(), 10), 0u);
}

TEST(ScsiTargetTest, RoutesToTheLunAndExposesItsStore) {
  ScsiTarget t = two_lun_target();
  const Bytes data = pattern(kBlock, 77);
  t.lun(2).store().write(3 * kBlock, data.data(), data.size());  // a workload preloading
  EXPECT_EQ(run(t, 2, cdb(read_cdb(3, 1, false))).data_in, data);
  EXPECT_EQ(run(t, 0, cdb(read_cdb(3, 1, false))).data_in, Bytes(kBlock, 0));
  expect_sense(run(t, 2, cdb(read_cdb(64, 1, false))), kIllegal, 0x21, 0);  // LUN 2 has 64 blocks
  const auto w = write_cdb(0, 4, false);
  EXPECT_EQ(t.expected_data_out(0, w.data(), 10), 4u * kBlock);
  EXPECT_EQ(ScsiTarget::parse(w.data(), 10).kind, CommandKind::Write);
  EXPECT_TRUE(t.has_lun(2));
  EXPECT_FALSE(t.has_lun(1));
  t.add_lun(2, make_lun(128));  // replaces
  EXPECT_EQ(t.lun(2).blocks(), 128u);
  EXPECT_EQ(t.lun_count(), 2u);
}

}  // namespace
}  // namespace iscsim::stack::scsi
