// The AMP host's parts on their own: the poll loop's closed form against stepping one poll at a
// time, and the shared rings' lines moving through the coherent caches.
#include <gtest/gtest.h>

#include <random>

#include "models/cache/CoherentCaches.hpp"
#include "models/memory/AddressSpace.hpp"
#include "sim/host/amp/PollLoop.hpp"
#include "sim/host/amp/SharedRing.hpp"

namespace iscsim::host::amp {
namespace {

TEST(PollLoop, ClosedFormMatchesSteppingOnePollAtATime) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const Picos since = static_cast<Picos>(rng() % 1'000'000);
    const Picos period = 1 + static_cast<Picos>(rng() % 5'000);
    const Picos visible = static_cast<Picos>(rng() % 2'000'000);
    const PollRun a = poll_until(since, period, visible);
    const PollRun b = poll_until_stepped(since, period, visible);
    EXPECT_EQ(a.empty_polls, b.empty_polls);
    EXPECT_EQ(a.seen_at, b.seen_at);
    // Counting in a window: the closed form against counting the stepped starts.
    const Picos from = static_cast<Picos>(rng() % 2'000'000);
    const Picos to = from + static_cast<Picos>(rng() % 500'000);
    std::uint64_t stepped = 0;
    for (std::uint64_t k = 0; k < b.empty_polls; ++k) {
      const Picos start = since + static_cast<Picos>(k) * period;
      if (start >= from && start < to) ++stepped;
    }
    EXPECT_EQ(polls_within(since, period, a.empty_polls, from, to), stepped);
  }
}

struct AmpRig {
  models::CoherentCaches caches{models::CacheGeometry{1 << 16, 8, 64, 2}, 2};
  models::AddressSpace memory{64, 4096};
  SharedRing<int> ring{memory, RingGeometry{64, 128, 16}};
  models::AccessCounts touch(int cpu, const models::Touch& t) {
    return t.write ? caches.write(cpu, t.addr, t.bytes) : caches.read(cpu, t.addr, t.bytes);
  }
};

TEST(SharedRing, PollingAnUnchangedLineCostsNoBusTransaction) {
  AmpRig r;
  r.touch(1, r.ring.poll());  // the consumer's first poll brings the line in
  for (int i = 0; i < 100; ++i) {
    const models::AccessCounts a = r.touch(1, r.ring.poll());
    EXPECT_EQ(a.misses, 0u);
    EXPECT_EQ(a.bus_bytes, 0u);
  }
}

TEST(SharedRing, ASlotWrittenOnOneCpuAndReadOnAnotherMovesItsLine) {
  AmpRig r;
  r.touch(1, r.ring.poll());
  const auto p = r.ring.push(42);
  r.touch(0, p.slot);
  r.touch(0, p.index);  // the producer's index write invalidates the consumer's polled copy
  EXPECT_GT(r.touch(1, r.ring.poll()).from_peer, 0u);
  const auto c = r.ring.pop();
  EXPECT_EQ(c.entry, 42);
  EXPECT_GT(r.touch(1, c.slot).from_peer, 0u);  // the slot comes from the producer's cache
}

}  // namespace
}  // namespace iscsim::host::amp
