#include <gtest/gtest.h>

#include <random>

#include "sim/stack/net/Checksum.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::stack::net {
namespace {

FlowAddress flow() {
  return FlowAddress{MacAddress{{0x02, 0, 0, 0, 1, 1}}, MacAddress{{0x02, 0, 0, 0, 1, 2}}, Ipv4Address{0x0a000101},
                     Ipv4Address{0x0a000102}};
}

tcp::Segment data_segment(std::size_t len) {
  tcp::Segment s;
  s.src_port = 32768;
  s.dst_port = 3260;
  s.seq = 0xFFFFFFF0;
  s.ack = 12345;
  s.flags = tcp::flag::kAck | tcp::flag::kPsh;
  s.window = 49152;
  s.options.timestamps = tcp::Timestamps{111, 222};
  for (std::size_t i = 0; i < len; ++i) s.payload.push_back(static_cast<std::uint8_t>(i * 13));
  return s;
}

TEST(FrameCodec, SynWithEveryOptionRoundTrips) {
  tcp::Segment syn;
  syn.src_port = 1;
  syn.dst_port = 2;
  syn.seq = 7;
  syn.flags = tcp::flag::kSyn;
  syn.window = 65535;
  syn.options.mss = 1460;
  syn.options.window_scale = 1;
  syn.options.sack_permitted = true;
  syn.options.timestamps = tcp::Timestamps{5, 0};
  EXPECT_EQ(tcp_options_bytes(syn.options, true), 20u);  // Linux's 20-byte SYN options
  const auto frame = build_frame(flow(), 9, syn);
  const ParseResult r = parse_frame(frame.data(), frame.size());
  ASSERT_TRUE(r.ok()) << r.error();
  const tcp::Segment& s = r.frame().segment;
  EXPECT_EQ(s.options.mss, 1460);
  EXPECT_EQ(s.options.window_scale, 1);
  EXPECT_TRUE(s.options.sack_permitted);
  EXPECT_EQ(s.options.timestamps, (tcp::Timestamps{5, 0}));
  EXPECT_EQ(s.seq, 7u);
  EXPECT_EQ(r.frame().ip_id, 9);
}

TEST(FrameCodec, SackBlocksFollowTheTimestampsAsLinuxAlignsThem) {
  tcp::Segment ack = data_segment(0);
  ack.options.sack_count = 3;
  ack.options.sack[0] = tcp::SackBlock{100, 200};  // a D-SACK below the ACK, first (RFC 2883)
  ack.options.sack[1] = tcp::SackBlock{0xFFFFFFF0u + 3000, 0xFFFFFFF0u + 4448};
  ack.options.sack[2] = tcp::SackBlock{7, 9};
  // 12 bytes of timestamps, then NOP, NOP, kind, length and 8 bytes a block: 40, the most.
  EXPECT_EQ(tcp_options_bytes(ack.options, false), 40u);
  const auto frame = build_frame(flow(), 1, ack);
  EXPECT_EQ(frame.size(), 14u + 20 + 20 + 40);
  const ParseResult r = parse_frame(frame.data(), frame.size());
  ASSERT_TRUE(r.ok()) << r.error();
  const tcp::Options& o = r.frame().segment.options;
  ASSERT_EQ(o.sack_count, 3);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(o.sack[i], ack.options.sack[i]) << i;
  EXPECT_EQ(o.timestamps, (tcp::Timestamps{111, 222}));
}

TEST(FrameCodec, DataSegmentRoundTripsWithItsBytes) {
  const tcp::Segment seg = data_segment(1448);
  const auto frame = build_frame(flow(), 77, seg);
  EXPECT_EQ(frame.size(), 14u + 20 + 32 + 1448);  // 1514 bytes: a full 1500-byte MTU
  const ParseResult r = parse_frame(frame.data(), frame.size());
  ASSERT_TRUE(r.ok()) << r.error();
  const tcp::Segment& s = r.frame().segment;
  EXPECT_EQ(s.payload, seg.payload);
  EXPECT_EQ(s.seq, seg.seq);
  EXPECT_EQ(s.ack, seg.ack);
  EXPECT_EQ(s.flags, seg.flags);
  EXPECT_EQ(s.window, seg.window);
  EXPECT_EQ(s.options.timestamps, seg.options.timestamps);
  EXPECT_EQ(r.frame().addr.src_ip, flow().src_ip);
  EXPECT_EQ(r.frame().addr.dst_mac, flow().dst_mac);
}

TEST(FrameCodec, HeaderBytesSitAtTheirOffsets) {
  const auto frame = build_frame(flow(), 0x1234, data_segment(10));
  EXPECT_EQ(frame[12], 0x08);  // EtherType IPv4
  EXPECT_EQ(frame[13], 0x00);
  EXPECT_EQ(frame[14], 0x45);  // version 4, IHL 5
  EXPECT_EQ(frame[18], 0x12);  // identification
  EXPECT_EQ(frame[23], 6);     // protocol TCP
  EXPECT_EQ(frame[34], 0x80);  // source port 32768
  EXPECT_EQ(frame[37], 0xBC);  // destination port 3260 = 0x0CBC
  EXPECT_EQ(frame[46] >> 4, 8);  // data offset: 20 + 12 option bytes = 8 words
  EXPECT_EQ(internet_checksum(frame.data() + 14, 20), 0);
}

TEST(FrameCodec, ShortFramesArePaddedToTheEthernetMinimum) {
  tcp::Segment ack;
  ack.flags = tcp::flag::kAck;
  const auto frame = build_frame(flow(), 1, ack);
  EXPECT_EQ(frame.size(), kMinFrameBytes);
  const ParseResult r = parse_frame(frame.data(), frame.size());
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_TRUE(r.frame().segment.payload.empty());  // padding is not payload
}

TEST(FrameCodec, BuildingIntoAUsedBufferGivesTheFreshBytes) {
  // A recycled buffer holds a stale frame's bytes: a longer one under a short ACK (its padding
  // and header fields must still come out zero) and a short one under a full segment.
  tcp::Segment ack;
  ack.flags = tcp::flag::kAck;
  const tcp::Segment full = data_segment(1448);
  std::vector<std::uint8_t> used(2000, 0xEE);
  build_frame_into(used, flow(), 3, ack);
  EXPECT_EQ(used, build_frame(flow(), 3, ack));
  build_frame_into(used, flow(), 4, full);
  EXPECT_EQ(used, build_frame(flow(), 4, full));
  std::fill(used.begin(), used.end(), 0xEE);
  build_frame_into(used, flow(), 5, data_segment(7));
  EXPECT_EQ(used, build_frame(flow(), 5, data_segment(7)));
}

TEST(FrameCodec, CorruptionIsCaughtByTheChecksums) {
  auto frame = build_frame(flow(), 1, data_segment(100));
  auto payload_flip = frame;
  payload_flip[100] ^= 0x04;
  EXPECT_EQ(parse_frame(payload_flip.data(), payload_flip.size()).error(), "bad TCP checksum");
  auto ip_flip = frame;
  ip_flip[22] ^= 0x01;  // TTL
  EXPECT_EQ(parse_frame(ip_flip.data(), ip_flip.size()).error(), "bad IPv4 header checksum");
}

TEST(FrameCodec, EveryTruncationIsAnError) {
  const auto frame = build_frame(flow(), 1, data_segment(300));
  for (std::size_t len = 0; len < frame.size(); ++len) {
    std::vector<std::uint8_t> cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(parse_frame(cut.data(), cut.size()).ok()) << len;
  }
}

TEST(FrameCodec, RandomBytesNeverCrashTheParser) {
  std::mt19937 rng(42);
  const auto good = build_frame(flow(), 1, data_segment(64));
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> junk = good;
    junk.resize(rng() % 200);
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips && !junk.empty(); ++f) junk[rng() % junk.size()] = static_cast<std::uint8_t>(rng());
    (void)parse_frame(junk.data(), junk.size());
  }
}

TEST(FrameCodec, MalformedOptionLengthIsRejected) {
  tcp::Segment s = data_segment(0);
  auto frame = build_frame(flow(), 1, s);
  // The timestamp option's length byte sits after two NOPs and its kind.
  frame[14 + 20 + 20 + 3] = 40;
  // Recompute the TCP checksum so only the option is wrong.
  frame[14 + 20 + 16] = frame[14 + 20 + 17] = 0;
  std::uint8_t ph[12] = {10, 0, 1, 1, 10, 0, 1, 2, 0, 6, 0, 32};
  const std::uint16_t c =
      checksum_fold(checksum_partial(frame.data() + 34, 32, checksum_partial(ph, sizeof ph)));
  frame[50] = static_cast<std::uint8_t>(c >> 8);
  frame[51] = static_cast<std::uint8_t>(c);
  EXPECT_EQ(parse_frame(frame.data(), frame.size()).error(), "malformed TCP option");
}

TEST(FrameCodec, ParsingIntoAFrameReplacesEverythingTheLastFrameLeft) {
  tcp::Segment syn = data_segment(0);
  syn.flags = tcp::flag::kSyn;
  syn.options.mss = 1460;
  const auto first = build_frame(flow(), 1, syn);
  tcp::Segment plain = data_segment(300);
  plain.options.timestamps.reset();
  const auto second = build_frame(flow(), 2, plain);
  ParsedFrame out;
  ASSERT_EQ(parse_frame_into(first.data(), first.size(), out), nullptr);
  ASSERT_EQ(parse_frame_into(second.data(), second.size(), out), nullptr);
  EXPECT_EQ(out.ip_id, 2);
  EXPECT_EQ(out.segment.flags, plain.flags);
  EXPECT_FALSE(out.segment.options.mss.has_value());
  EXPECT_FALSE(out.segment.options.timestamps.has_value());
  EXPECT_EQ(out.segment.payload, plain.payload);
  auto flipped = second;
  flipped[100] ^= 0x04;
  EXPECT_STREQ(parse_frame_into(flipped.data(), flipped.size(), out), "bad TCP checksum");
}

TEST(FrameCodec, ReadingHeadersGivesTheFieldsAndPayloadLengthWithoutThePayload) {
  const tcp::Segment seg = data_segment(700);
  auto frame = build_frame(flow(), 5, seg);
  frame[100] ^= 0x04;  // not verified: the sender reads back its own frame
  FrameHeaders h;
  ASSERT_TRUE(read_headers(frame.data(), frame.size(), h));
  EXPECT_EQ(h.payload_bytes, 700u);
  EXPECT_TRUE(h.frame.segment.payload.empty());
  EXPECT_EQ(h.frame.segment.src_port, seg.src_port);
  EXPECT_EQ(h.frame.segment.dst_port, seg.dst_port);
  EXPECT_EQ(h.frame.segment.seq, seg.seq);
  EXPECT_EQ(h.frame.ip_id, 5);
  EXPECT_FALSE(read_headers(frame.data(), 40, h));
}

TEST(Addresses, PrintAsUsual) {
  EXPECT_EQ(Ipv4Address{0x0a000102}.to_string(), "10.0.1.2");
  EXPECT_EQ((MacAddress{{0x02, 0, 0, 0, 1, 0xab}}).to_string(), "02:00:00:00:01:ab");
}

}  // namespace
}  // namespace iscsim::stack::net
