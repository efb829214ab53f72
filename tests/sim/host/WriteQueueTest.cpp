// A socket's write queue: sk_buffs of up to an MSS, sent in order, freed when an ACK wholly
// covers them.
#include <gtest/gtest.h>

#include "sim/host/kernel/WriteQueue.hpp"

namespace iscsim::host::kernel {
namespace {

// The heads of sk_buffs appended or freed.
std::vector<models::Addr> heads_of(const std::vector<WriteQueue::Buffers>& skbs) {
  std::vector<models::Addr> heads;
  for (const WriteQueue::Buffers& b : skbs) heads.push_back(b.head);
  return heads;
}

// Fresh sk_buffs whose payload is not modelled.
struct Heads {
  models::Addr next = 0x1000;
  WriteQueue::Buffers operator()() { return {next += 0x100, 0}; }
};

TEST(WriteQueue, DataTakesAnSkbPerMssAndFillsTheTailBeforeItIsSent) {
  WriteQueue q;
  Heads heads;
  EXPECT_EQ(q.append(2500, 1000, std::ref(heads)).size(), 3u);  // 1000, 1000, 500
  EXPECT_EQ(q.append(300, 1000, std::ref(heads)).size(), 0u);   // the tail now holds 800
  EXPECT_EQ(q.append(400, 1000, std::ref(heads)).size(), 1u);   // 200 fill it, 200 start another
  EXPECT_EQ(q.size(), 4u);
}

TEST(WriteQueue, SendsWalkTheSkbsInOrderAndAcksFreeOnlyWholeOnes) {
  WriteQueue q;
  Heads heads;
  const std::vector<models::Addr> h = heads_of(q.append(3000, 1000, std::ref(heads)));
  EXPECT_EQ(q.send(1000).head, h[0]);
  EXPECT_EQ(q.send(1000).head, h[1]);
  EXPECT_TRUE(heads_of(q.acknowledge(1500)) == std::vector<models::Addr>{h[0]});
  EXPECT_EQ(q.send(1000).head, h[2]);
  EXPECT_EQ(q.send(1000).head, 0u);  // nothing queued there
  EXPECT_TRUE(heads_of(q.acknowledge(1500)) == (std::vector<models::Addr>{h[1], h[2]}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(WriteQueue, FrontAndBackAreTheNeighboursAnUnlinkAndAnAppendWrite) {
  WriteQueue q;
  Heads heads;
  EXPECT_EQ(q.front(), 0u);
  EXPECT_EQ(q.back(), 0u);
  const std::vector<models::Addr> h = heads_of(q.append(3000, 1000, std::ref(heads)));
  EXPECT_EQ(q.front(), h[0]);
  EXPECT_EQ(q.back(), h[2]);
  q.send(3000);
  q.acknowledge(1000);
  EXPECT_EQ(q.front(), h[1]);  // __skb_unlink of h[0] wrote h[1]'s prev
  q.acknowledge(2000);
  EXPECT_EQ(q.front(), 0u);
  EXPECT_EQ(q.back(), 0u);
}

TEST(WriteQueue, TheStreamsBytesLieInTheirSkbsPayloadsUntilAnAckFreesThem) {
  WriteQueue q;
  models::Addr next = 0x10000;
  const auto alloc = [&next] {
    next += 0x1000;
    return WriteQueue::Buffers{next, next + 0x100};  // payload 0x100 into the data
  };
  q.append(1500, 1000, alloc);  // stream [0, 1000) in 0x11100, [1000, 1500) in 0x12100
  q.append(700, 1000, alloc);   // [1500, 2000) fill the tail, [2000, 2200) in 0x13100
  std::vector<std::pair<models::Addr, std::uint64_t>> seen;
  const auto record = [&seen](const WriteQueue::Span& s) { seen.emplace_back(s.addr, s.bytes); };
  q.spans(900, 1200, record);
  EXPECT_EQ(seen, (std::vector<std::pair<models::Addr, std::uint64_t>>{{0x11100 + 900, 100}, {0x12100, 1000}, {0x13100, 100}}));
  q.send(2200);
  const std::vector<WriteQueue::Buffers> freed = q.acknowledge(1000);
  ASSERT_EQ(freed.size(), 1u);
  EXPECT_EQ(freed[0].payload, 0x11100u);
  seen.clear();
  q.spans(1000, 1200, record);  // the stream's offsets stay where they were
  EXPECT_EQ(seen, (std::vector<std::pair<models::Addr, std::uint64_t>>{{0x12100, 1000}, {0x13100, 200}}));
  seen.clear();
  q.spans(0, 1000, record);  // freed: nothing there
  EXPECT_TRUE(seen.empty());
}

TEST(WriteQueue, SkbsWhosePayloadIsNotModelledHaveNoSpans) {
  WriteQueue q;
  Heads heads;
  q.append(3000, 1000, std::ref(heads));
  bool any = false;
  q.spans(0, 3000, [&any](const WriteQueue::Span&) { any = true; });
  EXPECT_FALSE(any);
}

}  // namespace
}  // namespace iscsim::host::kernel
