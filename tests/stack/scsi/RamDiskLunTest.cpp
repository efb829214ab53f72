// The RAM-disk LUN and its target: real bytes in and out, sparse storage, and the exact sense
// data for each refusal.
#include <gtest/gtest.h>

#include "sim/stack/scsi/ScsiTarget.hpp"

namespace iscsim::stack::scsi {
namespace {

constexpr std::uint64_t kCapacity = 8 << 20;  // 16384 blocks

ScsiTarget make_target() {
  ScsiTarget t;
  t.add_lun(0, Lun(LunIdentity{}, kCapacity));
  return t;
}

ScsiResult run(ScsiTarget& t, const std::array<std::uint8_t, 16>& cdb, const std::vector<std::uint8_t>& out = {},
               std::uint64_t lun = 0) {
  return t.execute(lun, cdb.data(), cdb.size(), out.data(), out.size());
}

std::array<std::uint8_t, 16> raw(std::initializer_list<std::uint8_t> bytes) {
  std::array<std::uint8_t, 16> c{};
  std::copy(bytes.begin(), bytes.end(), c.begin());
  return c;
}

TEST(RamDiskLun, WritesThenReadsRealBytes) {
  ScsiTarget t = make_target();
  std::vector<std::uint8_t> data(4096);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  EXPECT_EQ(run(t, write_cdb(100, 8, false), data).status, Status::Good);
  const ScsiResult r = run(t, read_cdb(100, 8, true));
  EXPECT_EQ(r.status, Status::Good);
  EXPECT_EQ(r.data_in, data);
}

TEST(SparseStore, UnwrittenBytesReadZeroAndCostNoPages) {
  SparseStore s(1 << 20, 4096);
  std::vector<std::uint8_t> out(8192, 0xEE);
  s.read(10000, out.data(), out.size());
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }));
  EXPECT_EQ(s.resident_pages(), 0u);
  const std::vector<std::uint8_t> in(5000, 0x5A);  // spans two pages
  s.write(4000, in.data(), in.size());
  EXPECT_EQ(s.resident_pages(), 3u);
  std::vector<std::uint8_t> back(5000);
  s.read(4000, back.data(), back.size());
  EXPECT_EQ(back, in);
}

struct SenseCase {
  const char* name;
  std::array<std::uint8_t, 16> cdb;
  std::uint64_t lun;
  std::uint8_t key, asc;
};

class Refusals : public ::testing::TestWithParam<SenseCase> {};

TEST_P(Refusals, CheckConditionWithExactSense) {
  ScsiTarget t = make_target();
  const SenseCase& c = GetParam();
  const ScsiResult r = run(t, c.cdb, {}, c.lun);
  ASSERT_EQ(r.status, Status::CheckCondition);
  ASSERT_EQ(r.sense.size(), 18u);
  EXPECT_EQ(r.sense[0], 0x70);
  EXPECT_EQ(r.sense[2], c.key);
  EXPECT_EQ(r.sense[12], c.asc);
  EXPECT_EQ(r.sense[13], 0);
}

INSTANTIATE_TEST_SUITE_P(
    RamDiskLun, Refusals,
    ::testing::Values(SenseCase{"read_past_end", read_cdb(16383, 2, false), 0, 0x5, 0x21},
                      SenseCase{"read16_past_end", read_cdb(1ull << 40, 1, true), 0, 0x5, 0x21},
                      SenseCase{"unknown_opcode", raw({0xC7}), 0, 0x5, 0x20},
                      SenseCase{"vpd_page_unknown", inquiry_cdb(true, 0x42, 255), 0, 0x5, 0x24},
                      SenseCase{"page_without_evpd", raw({0x12, 0x00, 0x80, 0x00, 0xFF}), 0, 0x5, 0x24},
                      SenseCase{"mode_page_unknown", raw({0x1A, 0x00, 0x19, 0x00, 0xFF}), 0, 0x5, 0x24},
                      SenseCase{"sync_past_end", raw({0x35, 0, 0, 0, 0x40, 0, 0, 0, 1, 0}), 0, 0x5, 0x21},
                      SenseCase{"absent_lun", read_cdb(0, 1, false), 3, 0x5, 0x25}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(RamDiskLun, WriteWithWrongDataLengthIsRefused) {
  ScsiTarget t = make_target();
  const ScsiResult r = run(t, write_cdb(0, 2, false), std::vector<std::uint8_t>(512));
  ASSERT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense[12], 0x24);
  // REQUEST SENSE then returns the same condition, once.
  const ScsiResult s = run(t, raw({0x03, 0, 0, 0, 18}));
  EXPECT_EQ(s.data_in[12], 0x24);
  EXPECT_EQ(run(t, raw({0x03, 0, 0, 0, 18})).data_in[2], 0x0);
}

TEST(RamDiskLun, InquiryStandardDataTruncatesAtAllocationLength) {
  ScsiTarget t = make_target();
  const ScsiResult full = run(t, inquiry_cdb(false, 0, 255));
  ASSERT_EQ(full.data_in.size(), 36u);
  EXPECT_EQ(std::string(full.data_in.begin() + 8, full.data_in.begin() + 16), "ISCSIM  ");
  EXPECT_EQ(full.data_in[2], 0x06);
  EXPECT_EQ(run(t, inquiry_cdb(false, 0, 5)).data_in.size(), 5u);
}

TEST(RamDiskLun, VpdPagesListedAreServed) {
  ScsiTarget t = make_target();
  const ScsiResult list = run(t, inquiry_cdb(true, 0x00, 255));
  ASSERT_EQ(list.status, Status::Good);
  const std::size_t n = list.data_in[3];
  ASSERT_EQ(n, list.data_in.size() - 4);
  for (std::size_t i = 0; i < n; ++i) {
    const ScsiResult page = run(t, inquiry_cdb(true, list.data_in[4 + i], 255));
    EXPECT_EQ(page.status, Status::Good) << int(list.data_in[4 + i]);
    EXPECT_EQ(page.data_in[1], list.data_in[4 + i]);
  }
}

TEST(RamDiskLun, ReadCapacityReportsLastLbaAndBlockSize) {
  ScsiTarget t = make_target();
  const ScsiResult r10 = run(t, simple_cdb(op::kReadCapacity10));
  ASSERT_EQ(r10.data_in.size(), 8u);
  EXPECT_EQ(r10.data_in[2], 0x3F);  // 16383 = 0x3FFF
  EXPECT_EQ(r10.data_in[3], 0xFF);
  EXPECT_EQ(r10.data_in[6], 0x02);  // 512
  const ScsiResult r16 = run(t, read_capacity16_cdb(32));
  ASSERT_EQ(r16.data_in.size(), 32u);
  EXPECT_EQ(r16.data_in[6], 0x3F);
  EXPECT_EQ(r16.data_in[7], 0xFF);
}

TEST(RamDiskLun, ModeSenseHasBlockDescriptorUnlessDbd) {
  ScsiTarget t = make_target();
  const ScsiResult with = run(t, raw({0x1A, 0x00, 0x3F, 0x00, 0xFF}));
  ASSERT_EQ(with.status, Status::Good);
  EXPECT_EQ(with.data_in[3], 8);
  EXPECT_EQ(with.data_in[0] + 1u, with.data_in.size());
  const ScsiResult without = run(t, raw({0x5A, 0x08, 0x08, 0, 0, 0, 0, 0x00, 0xFF, 0}));
  ASSERT_EQ(without.status, Status::Good);
  EXPECT_EQ(without.data_in[7], 0);
  EXPECT_EQ(without.data_in[8], 0x08);  // the caching page follows the 8-byte header
}

TEST(ScsiTargetLuns, ReportLunsAndAbsentLunInquiry) {
  ScsiTarget t = make_target();
  t.add_lun(2, Lun(LunIdentity{}, 1 << 20));
  const ScsiResult r = run(t, raw({0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0}), {}, 7);
  ASSERT_EQ(r.data_in.size(), 24u);
  EXPECT_EQ(r.data_in[3], 16);
  EXPECT_EQ(r.data_in[17], 2);
  const ScsiResult inq = run(t, inquiry_cdb(false, 0, 36), {}, 5);
  ASSERT_EQ(inq.status, Status::Good);
  EXPECT_EQ(inq.data_in[0], 0x7F);
}

}  // namespace
}  // namespace iscsim::stack::scsi
