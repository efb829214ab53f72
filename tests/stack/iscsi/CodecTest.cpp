// iSCSI framing: CRC32C known answers, PDU round trips with and without digests, byte-by-byte
// decoding, digest and length errors, text keys.
#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <string>

#include "sim/stack/iscsi/Crc32c.hpp"
#include "sim/stack/iscsi/PduCodec.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {
namespace {

TEST(Crc32c, KnownAnswers) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32c(reinterpret_cast<const std::uint8_t*>(check.data()), check.size()), 0xE3069283u);
  // RFC 3720 appendix B.4.
  std::uint8_t buf[32];
  std::fill(buf, buf + 32, 0);
  EXPECT_EQ(crc32c(buf, 32), 0x8A9136AAu);
  std::fill(buf, buf + 32, 0xFF);
  EXPECT_EQ(crc32c(buf, 32), 0x62A8AB43u);
  std::iota(buf, buf + 32, 0);
  EXPECT_EQ(crc32c(buf, 32), 0x46DD794Eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<std::uint8_t>(31 - i);
  EXPECT_EQ(crc32c(buf, 32), 0x113FDB5Cu);
}

Pdu data_in(std::size_t len) {
  Pdu p;
  p.bhs.set_opcode(Opcode::DataIn);
  p.bhs.set_final(true);
  p.bhs.set_itt(0x11223344);
  p.bhs.set_u32(bhs::kDataSn, 7);
  p.bhs.set_u32(bhs::kBufferOffset, 65536);
  p.data.resize(len);
  for (std::size_t i = 0; i < len; ++i) p.data[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return p;
}

TEST(PduCodec, FieldsAreBigEndianAtTheirOffsets) {
  Pdu p = data_in(5);
  std::vector<std::uint8_t> wire;
  encode_pdu(p, {}, wire);
  EXPECT_EQ(wire[0], 0x25);
  EXPECT_EQ(wire[1], 0x80);
  EXPECT_EQ(wire[7], 5);  // DataSegmentLength
  EXPECT_EQ(wire[16], 0x11);
  EXPECT_EQ(wire[19], 0x44);
  EXPECT_EQ(wire.size(), 48u + 8);  // 5 data bytes padded to 8
  EXPECT_EQ(wire[53], 0);
}

TEST(PduCodec, DigestsGoLeastSignificantByteFirst) {
  Pdu p;  // an all-zero BHS except the opcode: the header digest covers exactly these 48 bytes
  p.bhs.set_opcode(Opcode::NopOut);
  std::vector<std::uint8_t> wire;
  encode_pdu(p, {true, true}, wire);
  ASSERT_EQ(wire.size(), 52u);  // no data segment, so no data digest
  const std::uint32_t crc = crc32c(wire.data(), 48);
  EXPECT_EQ(wire[48], crc & 0xFF);
  EXPECT_EQ(wire[51], crc >> 24);
}

class RoundTrip : public ::testing::TestWithParam<std::tuple<std::size_t, bool, bool>> {};

TEST_P(RoundTrip, ByteByByteDecodingGivesThePduBack) {
  const auto [len, hd, dd] = GetParam();
  const DigestSettings digests{hd, dd};
  Pdu p = data_in(len);
  p.ahs = {1, 2, 3, 4};
  std::vector<std::uint8_t> wire;
  encode_pdu(p, digests, wire);
  encode_pdu(data_in(3), digests, wire);  // a second PDU right behind
  EXPECT_EQ(wire.size(), encoded_size(p, digests) + encoded_size(data_in(3), digests));
  PduDecoder dec;
  dec.set_digests(digests);
  std::vector<Pdu> got;
  for (std::uint8_t b : wire) {
    dec.feed(&b, 1);
    while (auto q = dec.next()) got.push_back(*q);
  }
  ASSERT_EQ(got.size(), 2u) << dec.error_text();
  EXPECT_EQ(got[0].data, p.data);
  EXPECT_EQ(got[0].ahs, p.ahs);
  EXPECT_EQ(got[0].bhs.u32(bhs::kBufferOffset), 65536u);
  EXPECT_EQ(got[1].data.size(), 3u);
  EXPECT_EQ(dec.buffered(), 0u);
}

INSTANTIATE_TEST_SUITE_P(LengthsAndDigests, RoundTrip,
                         ::testing::Combine(::testing::Values(0, 1, 3, 4, 5, 8193), ::testing::Bool(),
                                            ::testing::Bool()));

TEST(PduCodec, DecodingIntoAUsedPduReplacesAllItHeld) {
  Pdu first = data_in(8192);
  first.ahs = {1, 2, 3, 4};
  const Pdu second = data_in(5);
  std::vector<std::uint8_t> wire;
  encode_pdu(first, {}, wire);
  encode_pdu(second, {}, wire);
  PduDecoder dec;
  dec.feed(wire.data(), wire.size());
  Pdu out;
  ASSERT_TRUE(dec.next(out));
  EXPECT_EQ(out.data, first.data);
  ASSERT_TRUE(dec.next(out));
  EXPECT_TRUE(out.ahs.empty());
  EXPECT_EQ(out.data, second.data);
  EXPECT_EQ(out.bhs.data_segment_length(), 5u);
  EXPECT_FALSE(dec.next(out));
}

TEST(PduCodec, DataEncodedWhereItLiesGivesTheSameBytes) {
  for (std::size_t len : {0, 1, 5, 8192}) {
    for (bool digest : {false, true}) {
      const DigestSettings digests{digest, digest};
      const Pdu with_data = data_in(len);
      Pdu header = with_data;
      header.data.clear();
      std::vector<std::uint8_t> copied, in_place;
      encode_pdu(with_data, digests, copied);
      encode_pdu(header, with_data.data.data(), with_data.data.size(), digests, in_place);
      EXPECT_EQ(in_place, copied) << len << (digest ? " with digests" : "");
    }
  }
}

TEST(PduCodec, CorruptedDigestsStopTheDecoder) {
  std::vector<std::uint8_t> wire;
  encode_pdu(data_in(100), {true, true}, wire);
  auto header_hit = wire;
  header_hit[20] ^= 1;
  PduDecoder a;
  a.set_digests({true, true});
  a.feed(header_hit.data(), header_hit.size());
  EXPECT_FALSE(a.next());
  EXPECT_EQ(a.error(), PduDecoder::Error::HeaderDigest);
  auto data_hit = wire;
  data_hit[60] ^= 1;
  PduDecoder b;
  b.set_digests({true, true});
  b.feed(data_hit.data(), data_hit.size());
  EXPECT_FALSE(b.next());
  EXPECT_EQ(b.error(), PduDecoder::Error::DataDigest);
}

TEST(PduCodec, DataSegmentBeyondTheDeclaredLimitIsAnError) {
  std::vector<std::uint8_t> wire;
  encode_pdu(data_in(9000), {}, wire);
  PduDecoder dec(8192);
  dec.feed(wire.data(), 48);  // the header alone is enough to know
  EXPECT_FALSE(dec.next());
  EXPECT_EQ(dec.error(), PduDecoder::Error::DataSegmentTooLong);
}

TEST(PduCodec, RandomBytesNeverCrashTheDecoder) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    PduDecoder dec(1 << 16);
    dec.set_digests({(round & 1) != 0, (round & 2) != 0});
    std::vector<std::uint8_t> junk(rng() % 400);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    dec.feed(junk.data(), junk.size());
    while (dec.next()) {
    }
  }
}

TEST(TextKeys, RoundTripAndErrors) {
  const KeyValues kv = {{"InitiatorName", "iqn.2004-01.org.example:init"}, {"HeaderDigest", "CRC32C,None"}};
  const auto bytes = encode_text(kv);
  const TextParse r = parse_text(bytes.data(), bytes.size());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.pairs, kv);
  const std::string no_eq = std::string("Broken") + '\0';
  EXPECT_FALSE(parse_text(reinterpret_cast<const std::uint8_t*>(no_eq.data()), no_eq.size()).ok());
  const std::string bad_key = std::string("Bad Key=1") + '\0';
  EXPECT_FALSE(parse_text(reinterpret_cast<const std::uint8_t*>(bad_key.data()), bad_key.size()).ok());
  const std::string padded_text = std::string("A=1") + '\0' + '\0' + '\0' + '\0';
  EXPECT_EQ(parse_text(reinterpret_cast<const std::uint8_t*>(padded_text.data()), padded_text.size()).pairs.size(), 1u);
}

}  // namespace
}  // namespace iscsim::stack::iscsi
