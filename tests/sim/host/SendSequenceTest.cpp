// Which bytes of a sent segment leave for the first time: a retransmission neither advances the
// stream nor loses its place in it, across the wrap of the 32-bit sequence space.
#include <gtest/gtest.h>

#include "sim/host/kernel/SendSequence.hpp"

namespace iscsim::host::kernel {
namespace {

TEST(SendSequence, NewSegmentsAdvanceTheStreamAndRetransmissionsKeepTheirPlace) {
  SendSequence s;
  EXPECT_EQ(s.send(1000, 0).fresh, 0u);  // a SYN or a pure ACK carries nothing
  SendSequence::Sent a = s.send(1001, 1448);
  EXPECT_EQ(a.fresh, 1448u);
  EXPECT_EQ(a.offset, 0u);
  SendSequence::Sent b = s.send(2449, 1448);
  EXPECT_EQ(b.fresh, 1448u);
  EXPECT_EQ(b.offset, 1448u);
  // The first segment again: nothing new, and it still starts at the stream's beginning.
  SendSequence::Sent again = s.send(1001, 1448);
  EXPECT_EQ(again.fresh, 0u);
  EXPECT_EQ(again.offset, 0u);
  EXPECT_EQ(s.sent(), 2896u);
  // A segment partly sent before (a larger one after a window change): only its tail is new.
  SendSequence::Sent part = s.send(2449 + 1000, 1448);
  EXPECT_EQ(part.fresh, 1000u);
  EXPECT_EQ(part.offset, 2448u);
  EXPECT_EQ(s.sent(), 3896u);
}

TEST(SendSequence, TheSequenceSpaceWrapsWithoutLosingCount) {
  SendSequence s;
  const std::uint32_t start = 0xFFFFF000u;
  EXPECT_EQ(s.send(start, 4096).fresh, 4096u);   // up to the wrap
  const SendSequence::Sent past = s.send(0, 4096);  // past it
  EXPECT_EQ(past.fresh, 4096u);
  EXPECT_EQ(past.offset, 4096u);
  const SendSequence::Sent back = s.send(start, 4096);  // before the wrap, again
  EXPECT_EQ(back.fresh, 0u);
  EXPECT_EQ(back.offset, 0u);
  EXPECT_EQ(s.sent(), 8192u);
}

}  // namespace
}  // namespace iscsim::host::kernel
