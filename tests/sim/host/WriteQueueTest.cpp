// A socket's write queue: sk_buffs of up to an MSS, sent in order, freed when an ACK wholly
// covers them.
#include <gtest/gtest.h>

#include "sim/host/kernel/WriteQueue.hpp"

namespace iscsim::host::kernel {
namespace {

struct Heads {
  models::Addr next = 0x1000;
  models::Addr operator()() { return next += 0x100; }
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
  const std::vector<models::Addr> h = q.append(3000, 1000, std::ref(heads));
  EXPECT_EQ(q.send(1000), h[0]);
  EXPECT_EQ(q.send(1000), h[1]);
  EXPECT_TRUE(q.acknowledge(1500) == std::vector<models::Addr>{h[0]});
  EXPECT_EQ(q.send(1000), h[2]);
  EXPECT_EQ(q.send(1000), 0u);  // nothing queued there
  EXPECT_TRUE(q.acknowledge(1500) == (std::vector<models::Addr>{h[1], h[2]}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(WriteQueue, FrontAndBackAreTheNeighboursAnUnlinkAndAnAppendWrite) {
  WriteQueue q;
  Heads heads;
  EXPECT_EQ(q.front(), 0u);
  EXPECT_EQ(q.back(), 0u);
  const std::vector<models::Addr> h = q.append(3000, 1000, std::ref(heads));
  EXPECT_EQ(q.front(), h[0]);
  EXPECT_EQ(q.back(), h[2]);
  q.send(3000);
  q.acknowledge(1000);
  EXPECT_EQ(q.front(), h[1]);  // __skb_unlink of h[0] wrote h[1]'s prev
  q.acknowledge(2000);
  EXPECT_EQ(q.front(), 0u);
  EXPECT_EQ(q.back(), 0u);
}

}  // namespace
}  // namespace iscsim::host::kernel
