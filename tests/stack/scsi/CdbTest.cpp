#include <gtest/gtest.h>

#include "sim/stack/scsi/Cdb.hpp"

namespace iscsim::stack::scsi {
namespace {

TEST(Cdb, ReadAndWriteRoundTripIn10And16ByteForms) {
  for (bool use16 : {false, true}) {
    const auto r = read_cdb(0x12345678, 128, use16);
    const Command c = parse_cdb(r.data(), use16 ? 16 : 10);
    EXPECT_EQ(c.kind, CommandKind::Read);
    EXPECT_EQ(c.lba, 0x12345678u);
    EXPECT_EQ(c.blocks, 128u);
    const auto w = write_cdb(use16 ? 0x1'0000'0000ULL : 7, 16, use16);
    const Command d = parse_cdb(w.data(), 16);
    EXPECT_EQ(d.kind, CommandKind::Write);
    EXPECT_EQ(d.lba, use16 ? 0x1'0000'0000ULL : 7u);
    EXPECT_EQ(d.blocks, 16u);
  }
}

TEST(Cdb, KnownBytesOfRead10) {
  const auto r = read_cdb(0x01020304, 0x0506, false);
  EXPECT_EQ(r[0], 0x28);
  EXPECT_EQ(r[2], 0x01);
  EXPECT_EQ(r[5], 0x04);
  EXPECT_EQ(r[7], 0x05);
  EXPECT_EQ(r[8], 0x06);
}

TEST(Cdb, InquiryReadCapacityAndFriends) {
  const auto inq = inquiry_cdb(true, 0x83, 255);
  Command c = parse_cdb(inq.data(), 6);
  EXPECT_EQ(c.kind, CommandKind::Inquiry);
  EXPECT_TRUE(c.evpd);
  EXPECT_EQ(c.page_code, 0x83);
  EXPECT_EQ(c.allocation_length, 255u);
  const auto bad = inquiry_cdb(false, 0x80, 36);
  EXPECT_FALSE(parse_cdb(bad.data(), 6).error.empty());
  const auto rc16 = read_capacity16_cdb(32);
  c = parse_cdb(rc16.data(), 16);
  EXPECT_EQ(c.kind, CommandKind::ReadCapacity16);
  EXPECT_EQ(c.allocation_length, 32u);
  EXPECT_EQ(parse_cdb(simple_cdb(op::kTestUnitReady).data(), 6).kind, CommandKind::TestUnitReady);
  EXPECT_EQ(parse_cdb(simple_cdb(op::kReadCapacity10).data(), 10).kind, CommandKind::ReadCapacity10);
  EXPECT_EQ(parse_cdb(simple_cdb(0x08).data(), 6).kind, CommandKind::Unsupported);  // READ(6)
}

TEST(Cdb, ShortOrEmptyCdbsAreErrorsNotCrashes) {
  const auto r = read_cdb(1, 1, true);
  for (std::size_t len = 0; len < 16; ++len) {
    const Command c = parse_cdb(r.data(), len);
    EXPECT_NE(c.kind, CommandKind::Read) << len;
  }
}

}  // namespace
}  // namespace iscsim::stack::scsi
