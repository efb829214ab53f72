#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/stack/net/Checksum.hpp"

namespace iscsim::stack::net {
namespace {

// RFC 1071 as written: big-endian 16-bit words, an odd byte padded with zero, folded.
std::uint32_t reference_sum(const std::uint8_t* data, std::size_t len) {
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) acc += static_cast<std::uint32_t>(data[i]) << 8 | data[i + 1];
  if (len % 2 == 1) acc += static_cast<std::uint32_t>(data[len - 1]) << 8;
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return static_cast<std::uint32_t>(acc);
}

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

// 300 random bytes and 300 all-ones bytes (with which every word addition carries): enough for
// lengths that cross the 32-byte step and end in every tail.
std::vector<std::vector<std::uint8_t>> noise_and_ones() {
  std::mt19937 rng(15);
  std::vector<std::uint8_t> noise(300);
  for (auto& b : noise) b = static_cast<std::uint8_t>(rng());
  return {noise, std::vector<std::uint8_t>(300, 0xFF)};
}

TEST(Checksum, WideWordsMatchTheReferenceAtEveryLengthAndAlignment) {
  for (const std::vector<std::uint8_t>& buf : noise_and_ones()) {
    for (std::size_t offset = 0; offset < 8; ++offset) {
      for (std::size_t len = 0; len + offset <= buf.size(); ++len) {
        const std::uint8_t* p = buf.data() + offset;
        ASSERT_EQ(checksum_partial(p, len), reference_sum(p, len)) << "offset " << offset << " length " << len;
      }
    }
  }
}

TEST(Checksum, CopyingNothingIntoAnEmptyBufferLeavesTheSum) {
  // An empty vector's data() may be null: nothing may be copied to it (UBSan checks memcpy's).
  std::vector<std::uint8_t> none;
  EXPECT_EQ(checksum_copy(none.data(), none.data(), 0, 0x1234), checksum_partial(none.data(), 0, 0x1234));
}

TEST(Checksum, CopyingSumsAsCheckedAndCopiesEveryByte) {
  // On a running sum, as the frame codec passes one.
  for (const std::vector<std::uint8_t>& buf : noise_and_ones()) {
    for (std::size_t len = 0; len <= buf.size(); ++len) {
      std::vector<std::uint8_t> out(len + 1, 0xA5);
      const std::uint32_t running = 0x1234;
      ASSERT_EQ(checksum_copy(out.data(), buf.data(), len, running), checksum_partial(buf.data(), len, running))
          << "length " << len;
      ASSERT_TRUE(std::equal(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(len), out.begin()));
      ASSERT_EQ(out[len], 0xA5) << "wrote past the end at length " << len;
    }
  }
}

}  // namespace
}  // namespace iscsim::stack::net
