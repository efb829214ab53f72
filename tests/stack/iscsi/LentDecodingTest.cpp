// PduDecoder on lent bytes (as the sessions take them from a receive queue): PDUs split anywhere
// come back whole and in order, what is left at settle() survives the lender's buffer, and
// digests switched with a PDU half assembled apply to it.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "sim/stack/iscsi/PduCodec.hpp"

namespace iscsim::stack::iscsi {
namespace {

Pdu data_out(std::size_t len, std::uint32_t sn) {
  Pdu p;
  p.bhs.set_opcode(Opcode::DataOut);
  p.bhs.set_itt(sn);
  p.bhs.set_u32(bhs::kDataSn, sn);
  p.data.resize(len);
  for (std::size_t i = 0; i < len; ++i) p.data[i] = static_cast<std::uint8_t>(i * 13 + sn);
  return p;
}

// Lends `wire` in pieces of random sizes, each from a scratch buffer overwritten after settle().
std::vector<Pdu> decode_lent(const std::vector<std::uint8_t>& wire, const DigestSettings& digests, unsigned seed,
                             std::size_t max_piece) {
  PduDecoder dec;
  dec.set_digests(digests);
  std::mt19937 rng(seed);
  std::vector<Pdu> got;
  Pdu out;
  std::vector<std::uint8_t> scratch;
  for (std::size_t at = 0; at < wire.size();) {
    const std::size_t n = std::min(wire.size() - at, 1 + rng() % max_piece);
    scratch.assign(wire.begin() + static_cast<std::ptrdiff_t>(at), wire.begin() + static_cast<std::ptrdiff_t>(at + n));
    dec.lend(scratch.data(), n);
    while (dec.next(out)) got.push_back(out);
    dec.settle();
    std::fill(scratch.begin(), scratch.end(), 0xEE);
    at += n;
  }
  EXPECT_EQ(dec.error(), PduDecoder::Error::None) << dec.error_text();
  EXPECT_EQ(dec.buffered(), 0u);
  return got;
}

class LentDecoding : public ::testing::TestWithParam<std::tuple<bool, bool, std::size_t>> {};

TEST_P(LentDecoding, PiecesOfAnySizeGiveEveryPduBackInOrder) {
  const auto [hd, dd, max_piece] = GetParam();
  const DigestSettings digests{hd, dd};
  std::vector<Pdu> sent;
  std::vector<std::uint8_t> wire;
  for (std::uint32_t i = 0; i < 40; ++i) {
    sent.push_back(data_out((i * 2749) % 9000, i));
    if (i % 5 == 0) sent.back().ahs = {1, 2, 3, 4};
    encode_pdu(sent.back(), digests, wire);
  }
  const std::vector<Pdu> got = decode_lent(wire, digests, 7 + static_cast<unsigned>(max_piece), max_piece);
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(got[i].bhs.itt(), sent[i].bhs.itt());
    EXPECT_EQ(got[i].ahs, sent[i].ahs);
    EXPECT_EQ(got[i].data, sent[i].data) << "PDU " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(DigestsAndPieceSizes, LentDecoding,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool(),
                                            ::testing::Values(std::size_t{1}, std::size_t{47}, std::size_t{1448},
                                                              std::size_t{65536})));

TEST(LentDecoding, WhatIsLeftAtSettleOutlivesTheLentBuffer) {
  std::vector<std::uint8_t> wire;
  encode_pdu(data_out(100, 1), {}, wire);
  encode_pdu(data_out(200, 2), {}, wire);
  encode_pdu(data_out(300, 3), {}, wire);
  std::vector<std::uint8_t> lent(wire.begin(), wire.end() - 10);
  PduDecoder dec;
  dec.lend(lent.data(), lent.size());
  Pdu out;
  ASSERT_TRUE(dec.next(out));  // the caller stops after one PDU, as a failing session does
  dec.settle();
  std::fill(lent.begin(), lent.end(), 0);
  dec.feed(wire.data() + wire.size() - 10, 10);
  ASSERT_TRUE(dec.next(out));
  EXPECT_EQ(out.data, data_out(200, 2).data);
  ASSERT_TRUE(dec.next(out));
  EXPECT_EQ(out.data, data_out(300, 3).data);
  EXPECT_EQ(dec.buffered(), 0u);
}

TEST(LentDecoding, DigestsSwitchedMidPduApplyToIt) {
  const DigestSettings both{true, true};
  std::vector<std::uint8_t> wire;
  encode_pdu(data_out(5000, 9), both, wire);
  PduDecoder dec;
  dec.lend(wire.data(), 60);  // BHS and part of the data, framed without digests at first
  Pdu out;
  EXPECT_FALSE(dec.next(out));
  dec.settle();
  dec.set_digests(both);
  dec.lend(wire.data() + 60, wire.size() - 60);
  ASSERT_TRUE(dec.next(out)) << dec.error_text();
  dec.settle();
  EXPECT_EQ(out.data, data_out(5000, 9).data);
  EXPECT_EQ(dec.buffered(), 0u);
}

}  // namespace
}  // namespace iscsim::stack::iscsi
