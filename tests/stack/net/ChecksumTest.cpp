#include <gtest/gtest.h>

#include "sim/stack/net/Checksum.hpp"

namespace iscsim::stack::net {
namespace {

TEST(Checksum, MatchesTheRfc1071Example) {
  // RFC 1071 section 3: these words sum to 0xddf2; the checksum is its complement.
  const std::uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_partial(bytes, sizeof bytes), 0xddf2u);
  EXPECT_EQ(internet_checksum(bytes, sizeof bytes), 0x220d);
}

TEST(Checksum, PadsAnOddLengthWithZero) {
  const std::uint8_t odd[] = {0x12, 0x34, 0x56};
  const std::uint8_t even[] = {0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(internet_checksum(odd, 3), internet_checksum(even, 4));
}

TEST(Checksum, ABufferWithItsChecksumVerifiesToZero) {
  std::uint8_t buf[64];
  for (int i = 0; i < 62; ++i) buf[i] = static_cast<std::uint8_t>(i * 37 + 11);
  buf[62] = buf[63] = 0;
  const std::uint16_t c = internet_checksum(buf, sizeof buf);
  buf[62] = static_cast<std::uint8_t>(c >> 8);
  buf[63] = static_cast<std::uint8_t>(c);
  EXPECT_EQ(internet_checksum(buf, sizeof buf), 0);
}

TEST(Checksum, PartialSumsCompose) {
  std::uint8_t buf[100];
  for (int i = 0; i < 100; ++i) buf[i] = static_cast<std::uint8_t>(i * 7);
  EXPECT_EQ(checksum_fold(checksum_partial(buf + 40, 60, checksum_partial(buf, 40))), internet_checksum(buf, 100));
}

}  // namespace
}  // namespace iscsim::stack::net
