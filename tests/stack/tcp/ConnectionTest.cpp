// Scenario tests of one connection pair over the fake link: handshake, options, ACK policy,
// retransmission, windows, close and sequence wraparound.
#include <gtest/gtest.h>

#include "sim/stack/common/SeqNum.hpp"
#include "tests/stack/tcp/FakeLink.hpp"

namespace iscsim::stack::tcp {
namespace {

using testing::FakeLink;
using testing::PatternStream;

Config linux_config(std::uint32_t buffer = 131072) {
  Config c;
  c.send_buffer_bytes = buffer;
  c.receive_buffer_bytes = buffer;
  return c;
}

bool established(const FakeLink& l) {
  return l.a.state() == State::Established && l.b.state() == State::Established;
}

TEST(Connection, ThreeWayHandshakeNegotiatesOptions) {
  FakeLink link(linux_config(), linux_config());
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  const Segment& syn = link.sent[0].at(0);
  EXPECT_TRUE(syn.has(flag::kSyn));
  EXPECT_FALSE(syn.has(flag::kAck));
  EXPECT_EQ(syn.options.mss, 1460);
  ASSERT_TRUE(syn.options.window_scale);
  EXPECT_EQ(*syn.options.window_scale, 1);  // 96 KB window needs one shift
  EXPECT_TRUE(syn.options.timestamps);
  const Segment& synack = link.sent[1].at(0);
  EXPECT_TRUE(synack.has(flag::kSyn) && synack.has(flag::kAck));
  EXPECT_EQ(synack.ack, 1001u);
  EXPECT_EQ(link.a.mss(), 1448u);  // 1460 less the 12-byte timestamp option
  EXPECT_EQ(link.b.mss(), 1448u);
}

TEST(Connection, MssWithoutTimestampsIs1460) {
  Config c = linux_config();
  c.timestamps = false;
  FakeLink link(c, linux_config());
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  EXPECT_EQ(link.a.mss(), 1460u);
  EXPECT_FALSE(link.sent[0].back().options.timestamps);
}

TEST(Connection, AdvertisesThreeQuartersOfTheSocketBuffer) {
  FakeLink link(linux_config(), linux_config(131072));
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  // tcp_adv_win_scale=2: 131072 - 131072/4 = 98304 bytes, scaled by 2^1 in the header.
  EXPECT_EQ(link.sent[1].at(0).window, 65535);  // SYN-ACK: unscaled, clamped
  link.a.send(link.now, reinterpret_cast<const std::uint8_t*>("x"), 1);
  link.flush();
  ASSERT_TRUE(link.run([&] { return link.b.readable() == 1; }));
  link.flush();
  link.run([&] { return link.sent[1].size() >= 2; });
  EXPECT_EQ(link.sent[1].back().window, 98304 / 2);  // scaled by 2^1
}

TEST(Connection, BulkTransferDeliversEveryByteInOrder) {
  FakeLink link(linux_config(), linux_config());
  PatternStream stream(link.a, link.b, 4'000'000);
  stream.close_when_done = true;
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete() && link.b.peer_closed(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_EQ(link.a.stats().retransmissions, 0u);
  EXPECT_EQ(link.a.stats().bytes_sent, 4'000'000u);
  EXPECT_EQ(link.b.stats().bytes_delivered, 4'000'000u);
}

TEST(Connection, DelayedAckAcknowledgesEverySecondFullSegment) {
  FakeLink link(linux_config(), linux_config());
  PatternStream stream(link.a, link.b, 2'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  const auto& rx = link.b.stats();
  const double data_segments = static_cast<double>(link.a.stats().data_segments_sent);
  // Up to 16 quick ACKs at the start, then one ACK per two segments.
  EXPECT_LT(static_cast<double>(rx.acks_sent), data_segments / 2 + 20);
  EXPECT_GT(static_cast<double>(rx.acks_sent), data_segments / 2 - 2);
}

TEST(Connection, CountsTheTimerRestartsLinuxMakesWithModTimer) {
  FakeLink link(linux_config(), linux_config());
  PatternStream stream(link.a, link.b, 2'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  const Stats& rx = link.b.stats();
  const Stats& tx = link.a.stats();
  // The receiver holds back the ACK of every other segment (tcp_send_delayed_ack), and sends
  // the rest at once: one delayed-ACK timer set per ACK it sends, less the quick ACKs.
  EXPECT_LE(rx.delack_timer_sets, rx.acks_sent);
  EXPECT_GT(static_cast<double>(rx.delack_timer_sets), static_cast<double>(rx.acks_sent) - 20);
  // The sender restarts its retransmit timer on each ACK of new data with data still out
  // (tcp_ack_packets_out), and sets it when a send finds nothing in flight.
  EXPECT_GT(tx.retransmit_timer_sets, 0u);
  EXPECT_LE(tx.retransmit_timer_sets, tx.segments_received + 2);
  EXPECT_GT(static_cast<double>(tx.retransmit_timer_sets), static_cast<double>(rx.acks_sent) / 2);
  EXPECT_FALSE(link.a.delack_deadline());
}

TEST(Connection, NoDelayedAckAcknowledgesEverySegment) {
  Config rx = linux_config();
  rx.delayed_ack = false;
  FakeLink link(linux_config(), rx);
  PatternStream stream(link.a, link.b, 500'000);
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_GE(link.b.stats().acks_sent, link.a.stats().data_segments_sent);
}

TEST(Connection, LoneSegmentIsAckedByTheDelayedAckTimer) {
  FakeLink link(linux_config(), linux_config());
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  // Use up quick-ACK mode first, then a single small segment waits for the timer.
  PatternStream stream(link.a, link.b, 200'000);
  link.on_event = [&] { stream.pump(link.now); };
  stream.pump(link.now);
  link.flush();
  ASSERT_TRUE(link.run([&] { return stream.complete() && link.a.bytes_in_flight() == 0; }));
  const std::uint8_t byte = 1;
  link.a.send(link.now, &byte, 1);
  const Nanos sent_at = link.now;
  link.flush();
  ASSERT_TRUE(link.run([&] { return link.a.bytes_in_flight() == 0; }));
  EXPECT_GE(link.now - sent_at, 40 * kNanosPerMilli);  // TCP_DELACK_MIN
  EXPECT_GE(link.b.stats().delayed_acks_sent, 1u);
}

TEST(Connection, OrderlyCloseReachesTimeWaitAndClosed) {
  FakeLink link(linux_config(), linux_config());
  PatternStream stream(link.a, link.b, 100'000);
  stream.close_when_done = true;
  stream.reader_closes_after_fin = true;
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  ASSERT_TRUE(link.run([&] { return link.b.state() == State::Closed; }));
  EXPECT_EQ(link.a.state(), State::TimeWait);
  ASSERT_TRUE(link.run([&] { return link.a.state() == State::Closed; }));
  EXPECT_TRUE(stream.complete());
}

TEST(Connection, LostSegmentIsFastRetransmitted) {
  FakeLink link(linux_config(), linux_config());
  PatternStream stream(link.a, link.b, 1'000'000);
  link.on_event = [&] { stream.pump(link.now); };
  // Lose the 40th segment from a to b once.
  link.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && index == 40; };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_EQ(link.a.stats().fast_retransmits, 1u);
  EXPECT_EQ(link.a.stats().timeouts, 0u);
  EXPECT_GE(link.b.stats().out_of_order_segments, 3u);
}

TEST(Connection, LostSynIsRetransmittedAfterTheInitialTimeout) {
  FakeLink link(linux_config(), linux_config());
  link.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && index == 0; };
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  EXPECT_EQ(link.now / kNanosPerSecond, 3);  // TCP_TIMEOUT_INIT
  EXPECT_EQ(link.a.stats().timeouts, 1u);
}

TEST(Connection, RetransmissionTimerBacksOffExponentially) {
  FakeLink link(linux_config(), linux_config());
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  link.drop = [](int dir, std::uint64_t, const Segment&) { return dir == 0; };  // a's sends all vanish
  const std::uint8_t byte = 1;
  link.a.send(link.now, &byte, 1);
  link.flush();
  std::vector<Nanos> times;
  std::size_t seen = link.sent[0].size();
  link.run([&] {
    if (link.sent[0].size() != seen) {
      times.push_back(link.now);
      seen = link.sent[0].size();
    }
    return times.size() >= 5;
  });
  ASSERT_EQ(times.size(), 5u);
  for (std::size_t i = 2; i < times.size(); ++i) {
    const Nanos prev = times[i - 1] - times[i - 2];
    EXPECT_EQ(times[i] - times[i - 1], 2 * prev);
  }
}

TEST(Connection, ZeroWindowIsProbedUntilTheReaderReads) {
  FakeLink link(linux_config(), linux_config(16384));
  PatternStream stream(link.a, link.b, 200'000);
  stream.read_enabled = false;
  link.on_event = [&] { stream.pump(link.now); };
  link.open();
  link.run([&] { return link.now > 3 * kNanosPerSecond; });
  EXPECT_EQ(link.a.send_window(), 0u);
  EXPECT_GE(link.a.stats().zero_window_probes, 2u);
  stream.read_enabled = true;
  stream.pump(link.now);
  link.flush();
  ASSERT_TRUE(link.run([&] { return stream.complete(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
}

TEST(Connection, NagleHoldsSmallSegmentsWhileDataIsUnacknowledged) {
  Config c = linux_config();
  c.nodelay = false;
  FakeLink link(c, linux_config());
  link.open();
  ASSERT_TRUE(link.run([&] { return established(link); }));
  const std::uint8_t bytes[10] = {};
  link.a.send(link.now, bytes, 10);
  link.a.send(link.now, bytes, 10);
  link.flush();
  link.a.send(link.now, bytes, 10);
  link.flush();
  std::size_t data_segments = 0;
  for (const Segment& s : link.sent[0]) data_segments += s.payload.empty() ? 0 : 1;
  EXPECT_EQ(data_segments, 1u);  // the third write waits for the ACK of the first
  ASSERT_TRUE(link.run([&] { return link.b.readable() == 30; }));
}

TEST(Connection, SequenceNumbersWrapAround) {
  FakeLink link(linux_config(), linux_config(), 0xFFFFFF00u, 0xFFFFFFF0u);
  PatternStream stream(link.a, link.b, 3'000'000);
  stream.close_when_done = true;
  link.on_event = [&] { stream.pump(link.now); };
  link.drop = [](int dir, std::uint64_t index, const Segment&) { return dir == 0 && (index == 3 || index == 500); };
  link.open();
  ASSERT_TRUE(link.run([&] { return stream.complete() && link.b.peer_closed(); }));
  EXPECT_EQ(stream.mismatches(), 0u);
  EXPECT_TRUE(seq_lt(0xFFFFFF00u, link.sent[0].back().seq));
}

class CountingMeter : public Meter {
 public:
  void record(TcpWork work, std::uint32_t bytes, std::uint32_t) override {
    bytes_[static_cast<int>(work)] += bytes;
    ++calls_[static_cast<int>(work)];
  }
  std::uint64_t bytes(TcpWork w) const { return bytes_[static_cast<int>(w)]; }
  std::uint64_t calls(TcpWork w) const { return calls_[static_cast<int>(w)]; }

 private:
  std::uint64_t bytes_[16] = {};
  std::uint64_t calls_[16] = {};
};

// Two connections joined back to back, their handshake done.
struct JoinedPair {
  JoinedPair(Meter* tx_meter, Meter* rx_meter)
      : tx(linux_config(), 1, 2, 100, tx_meter), rx(linux_config(), 2, 1, 900, rx_meter) {
    rx.listen();
    tx.connect(0);
    exchange();
  }
  // Carries every segment each way, a microsecond a round, until neither side has any to send.
  void exchange() {
    for (int i = 0; i < 1000; ++i) {
      auto out_a = tx.take_output();
      auto out_b = rx.take_output();
      if (out_a.empty() && out_b.empty()) return;
      now += kNanosPerMicro;
      for (auto& s : out_a) rx.on_segment(now, s);
      for (auto& s : out_b) tx.on_segment(now, s);
    }
  }
  Connection tx;
  Connection rx;
  Nanos now = 0;
};

TEST(Connection, MeterReportsTheWorkDone) {
  CountingMeter tx_meter, rx_meter;
  JoinedPair p(&tx_meter, &rx_meter);
  std::vector<std::uint8_t> data(20000, 3);
  ASSERT_EQ(p.tx.send(p.now, data.data(), data.size()), data.size());
  p.exchange();
  std::vector<std::uint8_t> back(data.size());
  EXPECT_EQ(p.rx.read(p.now, back.data(), back.size()), data.size());
  EXPECT_EQ(tx_meter.bytes(TcpWork::AppWrite), 20000u);
  EXPECT_EQ(tx_meter.bytes(TcpWork::SegmentOut), 20000u);
  EXPECT_EQ(tx_meter.bytes(TcpWork::AckIn), 20000u);
  EXPECT_EQ(rx_meter.bytes(TcpWork::DataInOrder), 20000u);
  EXPECT_EQ(rx_meter.bytes(TcpWork::AppRead), 20000u);
  EXPECT_EQ(rx_meter.calls(TcpWork::SegmentIn), p.rx.stats().segments_received);
}

TEST(Connection, RecycledSegmentBuffersCarryTheNextSegmentsBytes) {
  JoinedPair p(nullptr, nullptr);
  std::vector<std::uint8_t> data(300000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + i / 251);
  std::vector<std::uint8_t> back(data.size());
  std::size_t sent = 0, got = 0;
  std::size_t recycled = 0;
  for (int round = 0; round < 100000 && got < data.size(); ++round) {
    sent += p.tx.send(p.now, data.data() + sent, data.size() - sent);
    p.now += kNanosPerMicro;
    std::vector<Segment> out_a = p.tx.take_output();
    for (const Segment& s : out_a) p.rx.on_segment(p.now, s);
    recycled += out_a.size();
    p.tx.recycle(out_a);
    EXPECT_TRUE(out_a.empty());
    std::vector<Segment> out_b = p.rx.take_output();
    for (const Segment& s : out_b) p.tx.on_segment(p.now, s);
    p.rx.recycle(out_b);
    got += p.rx.read(p.now, back.data() + got, back.size() - got);
  }
  EXPECT_GT(recycled, data.size() / p.tx.mss());
  EXPECT_EQ(back, data);
}

TEST(Connection, ReadingInPlaceLendsTheBytesAReadWouldCopy) {
  CountingMeter rx_meter;
  JoinedPair p(nullptr, &rx_meter);
  std::vector<std::uint8_t> data(20000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + i / 256);
  ASSERT_EQ(p.tx.send(p.now, data.data(), data.size()), data.size());
  p.exchange();
  std::vector<std::uint8_t> back;
  while (p.rx.readable() > 0)
    for (const ByteSpan& piece : p.rx.read_in_place(p.now, 7000))
      back.insert(back.end(), piece.data, piece.data + piece.len);
  EXPECT_EQ(back, data);
  EXPECT_EQ(rx_meter.bytes(TcpWork::AppRead), 20000u);
  EXPECT_EQ(rx_meter.calls(TcpWork::AppRead), 3u);  // one per read, as read() records
  EXPECT_EQ(p.rx.stats().bytes_delivered, 20000u);
}

}  // namespace
}  // namespace iscsim::stack::tcp
