// Unit tests of TCP's small parts: sequence arithmetic, byte ring, reassembly, RTT, NewReno.
#include <gtest/gtest.h>

#include <numeric>

#include "sim/stack/tcp/ByteRing.hpp"
#include "sim/stack/tcp/NewReno.hpp"
#include "sim/stack/tcp/Reassembly.hpp"
#include "sim/stack/tcp/RttEstimator.hpp"
#include "sim/stack/common/SeqNum.hpp"

namespace iscsim::stack::tcp {
namespace {

TEST(SeqNum, ComparesAcrossWraparound) {
  EXPECT_TRUE(seq_lt(0xFFFFFFF0u, 0x10u));
  EXPECT_TRUE(seq_gt(0x10u, 0xFFFFFFF0u));
  EXPECT_EQ(seq_diff(0x10u, 0xFFFFFFF0u), 0x20);
  EXPECT_TRUE(seq_leq(5u, 5u));
  EXPECT_EQ(seq_max(0xFFFFFFFFu, 1u), 1u);
}

std::vector<std::uint8_t> bytes_of(const ByteSpans& pieces) {
  std::vector<std::uint8_t> out;
  for (const ByteSpan& p : pieces) out.insert(out.end(), p.data, p.data + p.len);
  return out;
}

TEST(ByteRing, WrapsAroundAndKeepsOrder) {
  ByteRing ring(8);
  const std::uint8_t a[6] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(ring.push(a, 6), 6u);
  ring.pop(4);
  const std::uint8_t b[6] = {7, 8, 9, 10, 11, 12};
  EXPECT_EQ(ring.push(b, 6), 6u);  // 2 left + 6 = full
  EXPECT_EQ(ring.push(b, 1), 0u);
  EXPECT_EQ(bytes_of(ring.view(0, 8)), (std::vector<std::uint8_t>{5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_EQ(bytes_of(ring.view(3, 2)), (std::vector<std::uint8_t>{8, 9}));
  EXPECT_EQ(bytes_of(ring.view(6, 2)), (std::vector<std::uint8_t>{11, 12}));  // wholly in the wrapped part
}

TEST(ByteRing, LendsItsBytesInPlaceInOneOrTwoPieces) {
  ByteRing ring(8);
  const std::uint8_t a[6] = {1, 2, 3, 4, 5, 6};
  ring.push(a, 6);
  const ByteSpans whole = ring.view(0, 5);
  EXPECT_EQ(whole[0].len, 5u);
  EXPECT_EQ(whole[0].data[0], 1);
  EXPECT_EQ(whole[1].len, 0u);
  ring.pop(4);
  const std::uint8_t b[5] = {7, 8, 9, 10, 11};
  ring.push(b, 5);  // 5 to 8 fill the buffer's end; 9 to 11 wrap to its start
  const ByteSpans split = ring.view(0, 6);
  ASSERT_EQ(split[0].len, 4u);  // 5, 6, 7, 8
  ASSERT_EQ(split[1].len, 2u);  // 9, 10
  EXPECT_EQ(split[0].data[0], 5);
  EXPECT_EQ(split[0].data[3], 8);
  EXPECT_EQ(split[1].data[0], 9);
  EXPECT_EQ(split[1].data[1], 10);
  EXPECT_EQ(ring.view(0, 0)[0].len, 0u);
}

TEST(Reassembly, StoresOnlyNewBytesAndReleasesContiguousRuns) {
  std::vector<std::uint8_t> data(100);
  std::iota(data.begin(), data.end(), 0);
  Reassembly r;
  EXPECT_EQ(r.insert(20, data.data() + 20, 10), 10u);
  EXPECT_EQ(r.insert(25, data.data() + 25, 10), 5u);  // overlaps the first piece
  EXPECT_EQ(r.insert(10, data.data() + 10, 40), 25u);  // covers both with gaps either side
  EXPECT_EQ(r.bytes(), 40u);
  EXPECT_TRUE(r.take_from(5).empty());  // gap at 5..10
  const auto run = r.take_from(10);
  ASSERT_EQ(run.size(), 40u);
  for (std::size_t i = 0; i < run.size(); ++i) EXPECT_EQ(run[i], 10 + i);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.bytes(), 0u);
}

TEST(Reassembly, DropsWhatIsBelowTheNextExpectedByte) {
  std::vector<std::uint8_t> data(100, 7);
  Reassembly r;
  r.insert(10, data.data(), 20);
  const auto run = r.take_from(15);
  EXPECT_EQ(run.size(), 15u);
}

TEST(RttEstimator, FollowsRfc6298AndBacksOff) {
  RttEstimator e(3 * kNanosPerSecond, 200 * kNanosPerMilli, 120 * kNanosPerSecond);
  EXPECT_EQ(e.rto(), 3 * kNanosPerSecond);
  e.sample(100 * kNanosPerMilli);  // SRTT = R, RTTVAR = R/2, RTO = R + 4 RTTVAR = 300 ms
  EXPECT_EQ(e.rto(), 300 * kNanosPerMilli);
  e.sample(1 * kNanosPerMilli);
  EXPECT_EQ(e.srtt(), 100 * kNanosPerMilli + (1 * kNanosPerMilli - 100 * kNanosPerMilli) / 8);
  e.back_off();
  e.back_off();
  EXPECT_EQ(e.backoffs(), 2u);
  RttEstimator tiny(3 * kNanosPerSecond, 200 * kNanosPerMilli, 120 * kNanosPerSecond);
  tiny.sample(10 * kNanosPerMicro);
  EXPECT_EQ(tiny.rto(), 200 * kNanosPerMilli);  // the floor
  tiny.back_off();
  EXPECT_EQ(tiny.rto(), 400 * kNanosPerMilli);
  for (int i = 0; i < 40; ++i) tiny.back_off();
  EXPECT_EQ(tiny.rto(), 120 * kNanosPerSecond);  // the ceiling
}

TEST(NewReno, SlowStartThenAvoidance) {
  NewReno cc(1000, 2);
  EXPECT_EQ(cc.cwnd(), 2000u);
  cc.on_new_ack(1000, 1000, 2000);
  EXPECT_EQ(cc.cwnd(), 3000u);
  cc.on_timeout(8000, 9000);
  EXPECT_EQ(cc.cwnd(), 1000u);
  EXPECT_EQ(cc.ssthresh(), 4000u);
  for (std::uint32_t ack = 2000; cc.cwnd() < cc.ssthresh(); ack += 1000) cc.on_new_ack(ack, 1000, 1000);
  const std::uint32_t at = cc.cwnd();
  cc.on_new_ack(20000, 1000, at);  // avoidance: less than one MSS per ACK
  EXPECT_EQ(cc.cwnd(), at);
}

TEST(NewReno, FastRecoveryRetransmitsOnPartialAckAndDeflatesOnFullAck) {
  NewReno cc(1000, 10);
  const std::uint32_t una = 0, max = 10000;
  EXPECT_EQ(cc.on_dup_ack(1, 3, max - una, una, max), NewReno::Action::None);
  EXPECT_EQ(cc.on_dup_ack(2, 3, max - una, una, max), NewReno::Action::None);
  EXPECT_EQ(cc.on_dup_ack(3, 3, max - una, una, max), NewReno::Action::RetransmitFirst);
  EXPECT_TRUE(cc.in_recovery());
  EXPECT_EQ(cc.ssthresh(), 5000u);
  EXPECT_EQ(cc.cwnd(), 8000u);
  cc.on_dup_ack(4, 3, max, una, max);
  EXPECT_EQ(cc.cwnd(), 9000u);
  EXPECT_EQ(cc.on_new_ack(4000, 4000, 10000), NewReno::Action::RetransmitFirst);  // partial
  EXPECT_TRUE(cc.in_recovery());
  EXPECT_EQ(cc.on_new_ack(10000, 6000, 6000), NewReno::Action::None);  // full
  EXPECT_FALSE(cc.in_recovery());
  EXPECT_LE(cc.cwnd(), cc.ssthresh());
}

}  // namespace
}  // namespace iscsim::stack::tcp
