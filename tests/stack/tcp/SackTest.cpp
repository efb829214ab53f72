// SACK and D-SACK (RFC 2018, RFC 2883) as Linux 2.4 runs them: the receiver's blocks, the
// sender's scoreboard, resending only what is lost, and undoing a recovery that reordering set off.
#include <gtest/gtest.h>

#include "sim/stack/common/SeqNum.hpp"
#include "sim/stack/tcp/SackScoreboard.hpp"
#include "tests/stack/tcp/FakeLink.hpp"

namespace iscsim::stack::tcp {
namespace {

using testing::FakeLink;
using testing::PatternStream;

Config sack_config() {
  Config c;
  c.send_buffer_bytes = 131072;
  c.receive_buffer_bytes = 131072;
  return c;
}

constexpr std::uint32_t kMss = 1448;

// The first segment from b to a after `after` that carries SACK blocks.
const Segment* first_sack(const FakeLink& link, std::size_t after = 0) {
  for (std::size_t i = after; i < link.sent[1].size(); ++i)
    if (link.sent[1][i].options.sack_count > 0) return &link.sent[1][i];
  return nullptr;
}

// A drop rule for `link.drop`: segment `index` from a to b is lost, and so is the first time its
// data is sent again; `resends` counts the sends of that data after the loss.
auto lose_segment_and_its_first_resend(std::uint64_t index, int& resends) {
  return [index, &resends, lost_seq = std::uint32_t{0}](int dir, std::uint64_t i, const Segment& seg) mutable {
    if (dir != 0) return false;
    if (i == index) lost_seq = seg.seq;
    return i == index || (lost_seq != 0 && seg.seq == lost_seq && !seg.payload.empty() && ++resends == 1);
  };
}

TEST(Sack, IsNegotiatedOnTheSynsAndNotWhenOneSideDeclines) {
  FakeLink both(sack_config(), sack_config());
  both.open();
  ASSERT_TRUE(both.run([&] { return both.b.state() == State::Established; }));
  EXPECT_TRUE(both.sent[0].at(0).options.sack_permitted);
  EXPECT_TRUE(both.sent[1].at(0).options.sack_permitted);

  Config no_sack = sack_config();
  no_sack.sack = false;
  FakeLink one(sack_config(), no_sack);
  PatternStream stream(one.a, one.b, 200'000);
  one.on_event = [&] { stream.pump(one.now); };
  one.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && index == 20; };
  one.open();
  ASSERT_TRUE(one.run([&] { return stream.complete(); }));
  EXPECT_FALSE(one.sent[1].at(0).options.sack_permitted);
  EXPECT_EQ(first_sack(one), nullptr);  // the receiver never SACKs: NewReno recovers
  EXPECT_EQ(one.a.stats().fast_retransmits, 1u);
}

TEST(Sack, TheReceiverReportsTheLatestArrivalsBlockFirstThenTheHighest) {
  FakeLink link(sack_config(), sack_config());
  PatternStream stream(link.a, link.b, 400'000);
  link.on_event = [&] { stream.pump(link.now); };
  // Two holes: segments 30 and 34 from a to b are lost once.
  link.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && (index == 30 || index == 34); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  const std::uint32_t hole1 = link.sent[0].at(30).seq;
  const std::uint32_t hole2 = link.sent[0].at(34).seq;
  // An ACK sent while both holes were open, after segment 35 arrived: [35..] first, then [31, 34).
  const Segment* two = nullptr;
  for (const Segment& s : link.sent[1])
    if (s.options.sack_count == 2 && s.ack == hole1) two = &s;
  ASSERT_NE(two, nullptr);
  EXPECT_EQ(two->options.sack[0].start, hole2 + kMss);
  EXPECT_EQ(two->options.sack[1].start, hole1 + kMss);
  EXPECT_EQ(two->options.sack[1].end, hole2);
  // Beside the timestamps, never more than three blocks.
  for (const Segment& s : link.sent[1]) EXPECT_LE(s.options.sack_count, 3);
}

TEST(Sack, ALostSegmentIsResentAloneAndTheWindowStaysCut) {
  FakeLink link(sack_config(), sack_config());
  PatternStream stream(link.a, link.b, 1'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  link.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && index == 40; };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_EQ(link.a.stats().fast_retransmits, 1u);
  EXPECT_EQ(link.a.stats().retransmissions, 1u);  // the hole, not what followed it
  EXPECT_EQ(link.a.stats().timeouts, 0u);
  EXPECT_EQ(link.a.stats().recoveries_undone, 0u);  // no D-SACK: the loss was real
  EXPECT_EQ(link.b.stats().duplicate_segments_received, 0u);
}

TEST(Sack, ALostRetransmissionIsSentAgainWithoutATimeout) {
  FakeLink link(sack_config(), sack_config());
  PatternStream stream(link.a, link.b, 1'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  // Segment 40 is lost, and so is its first retransmission: the data sent after that
  // retransmission and SACKed shows it lost (tcp_sacktag_write_queue's lost retransmits).
  int sent = 0;
  link.drop = lose_segment_and_its_first_resend(40, sent);
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_EQ(sent, 2);  // the lost retransmission, then the one that arrived
  EXPECT_EQ(link.a.stats().timeouts, 0u);
  EXPECT_EQ(link.a.stats().fast_retransmits, 1u);
}

TEST(Sack, TheSenderStaysWithinThePeersWindowWhateverItSacked) {
  Config small = sack_config();
  small.receive_buffer_bytes = 32768;  // a window the congestion window outgrows
  FakeLink link(sack_config(), small);
  PatternStream stream(link.a, link.b, 3'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  // A segment lost late, with the window wide open, and its first retransmission too: the
  // hole stays while the rest of the window is SACKed.
  int resent = 0;
  link.drop = lose_segment_and_its_first_resend(1500, resent);
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_GT(link.a.cwnd(), 32768u);
  // The pipe leaves out what the peer SACKed; its window still ends where it said.
  EXPECT_EQ(link.b.stats().segments_beyond_window, 0u);
}

TEST(Sack, EachReorderingEpisodeSetsOffOneRecoveryWhichTheDsacksUndo) {
  FakeLink link(sack_config(), sack_config());
  PatternStream stream(link.a, link.b, 2'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  // Segments 60-61, then 400-401, from a to b arrive 200 us late, after the ones that follow them.
  link.jitter = [](int dir, std::uint64_t index) -> Nanos {
    const bool late = index == 60 || index == 61 || index == 400 || index == 401;
    return dir == 0 && late ? 200 * kNanosPerMicro : 0;
  };
  std::uint32_t cwnd_before = 0;
  link.drop = [&](int dir, std::uint64_t index, const Segment&) {
    if (dir == 0 && index == 400) cwnd_before = link.a.cwnd();
    return false;
  };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  const Stats& tx = link.a.stats();
  // Each episode: one recovery, its late segments resent at most once each, D-SACKs that show
  // every retransmission needless, and the window back where it was. (The cumulative ACK passes
  // the SACKed data before the D-SACKs come, so, as in 2.4, no reordering is learnt from it.)
  EXPECT_EQ(tx.fast_retransmits, 2u);
  EXPECT_LE(tx.retransmissions, 4u);
  EXPECT_EQ(tx.dsacks_received, tx.retransmissions);
  EXPECT_EQ(link.b.stats().duplicate_segments_received, tx.retransmissions);
  EXPECT_EQ(tx.recoveries_undone, 2u);
  EXPECT_GE(link.a.cwnd(), cwnd_before);
}

TEST(SackScoreboard, CountsLostWhatLiesReorderingSegmentsBelowTheHighestSack) {
  SackScoreboard board(3, 127);
  const std::uint32_t una = 0xFFFFF000u;  // across the wrap
  board.advance(una);
  for (std::uint32_t i = 1; i <= 10; ++i) board.sent(una + i * kMss);
  Options o;
  o.sack_count = 1;
  o.sack[0] = {una + 2 * kMss, una + 3 * kMss};  // segment 2 SACKed, 0-1 not
  board.on_blocks(o, una, una, una + 10 * kMss, kMss);
  EXPECT_EQ(board.sacked_bytes(), kMss);
  EXPECT_FALSE(board.loss_indicated(kMss));  // three segments to the highest SACK: not past 3
  o.sack[0] = {una + 2 * kMss, una + 6 * kMss};
  board.on_blocks(o, una, una, una + 10 * kMss, kMss);
  ASSERT_TRUE(board.loss_indicated(kMss));
  board.begin_recovery();
  // FACK: below 6 - 3 segments, the two not SACKed are lost.
  EXPECT_EQ(board.lost_bytes(kMss), 2 * kMss);
  const auto first = board.next_lost(kMss, kMss);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->start, una);
  EXPECT_EQ(first->end, una + kMss);
  board.retransmitted(*first, una + 10 * kMss);
  EXPECT_EQ(board.lost_bytes(kMss), kMss);
  EXPECT_EQ(board.next_lost(kMss, kMss)->start, una + kMss);
  // The cumulative ACK passes the first: what is left moves with snd_una.
  board.advance(una + kMss);
  EXPECT_EQ(board.next_lost(kMss, kMss)->start, una + kMss);
  EXPECT_FALSE(board.all_retransmissions_needless());
  // A D-SACK of the retransmission (below the ACK) shows it needless.
  o.sack_count = 2;
  o.sack[0] = {una, una + kMss};
  o.sack[1] = {una + 2 * kMss, una + 6 * kMss};
  EXPECT_TRUE(board.on_blocks(o, una + kMss, una + kMss, una + 10 * kMss, kMss));
  EXPECT_TRUE(board.all_retransmissions_needless());
}

TEST(SackScoreboard, CountsPacketsNotBytesAsTwoFourDoes) {
  // Three 48-byte commands out and the first lost: two SACKed packets are not past the
  // reordering of 3, however few bytes they hold; a fourth and fifth are (fackets_out 5 > 3).
  SackScoreboard board(3, 127);
  for (std::uint32_t i = 1; i <= 5; ++i) board.sent(i * 48);
  Options o;
  o.sack_count = 1;
  o.sack[0] = {48, 144};
  board.on_blocks(o, 0, 0, 240, kMss);
  EXPECT_EQ(board.fackets(kMss), 3u);
  EXPECT_FALSE(board.loss_indicated(kMss));
  o.sack[0] = {48, 240};
  board.on_blocks(o, 0, 0, 240, kMss);
  EXPECT_TRUE(board.loss_indicated(kMss));
  board.begin_recovery();
  const auto lost = board.next_lost(kMss, kMss);
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->start, 0u);
  EXPECT_EQ(lost->end, 48u);  // the hole, not an MSS of it
}

TEST(SackScoreboard, LearnsReorderingFromASackBelowTheHighestOfANeverResentSegment) {
  SackScoreboard board(3, 127);
  for (std::uint32_t i = 1; i <= 20; ++i) board.sent(i * kMss);
  Options o;
  o.sack_count = 1;
  o.sack[0] = {5 * kMss, 9 * kMss};
  board.on_blocks(o, 0, 0, 20 * kMss, kMss);
  EXPECT_EQ(board.reordering(), 3u);
  // Segment 1, passed by the eight up to the highest SACKed, arrives: reordering of 8.
  o.sack[0] = {kMss, 2 * kMss};
  board.on_blocks(o, 0, 0, 20 * kMss, kMss);
  EXPECT_EQ(board.reordering(), 8u);
  // With reordering seen, FACK is off: once the SACKs reach past it, only the first segment is
  // counted lost, not every hole below the highest SACK less the reordering.
  o.sack[0] = {5 * kMss, 12 * kMss};
  board.on_blocks(o, 0, 0, 20 * kMss, kMss);
  ASSERT_TRUE(board.loss_indicated(kMss));
  board.begin_recovery();
  EXPECT_EQ(board.lost_bytes(kMss), kMss);
}

}  // namespace
}  // namespace iscsim::stack::tcp
