// Why the SMP host's reads see retransmissions on links that lose nothing: with 2.4's prequeue, a
// segment that reaches the socket while the transmit thread holds it goes through the backlog
// ahead of those the sleeping reader's prequeue still holds, and the reordering draws duplicate
// ACKs. Every resent segment is then one the initiator already had, and without the prequeue
// (tcp_low_latency) there is none. Properties only: no expected figure is written here. The
// reorderings come in episodes, some seconds of the run a few, some none, so both runs take two
// seconds: a tenth of one second, or the first second of some seeds, holds none.
#include <gtest/gtest.h>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

const std::string kTwoSeconds = " --set run.duration_s=2";

TEST(SmpReorder, OnLosslessLinksEveryResentSegmentIsADuplicateAndThePrequeueIsWhyThereAreAny) {
  const nlohmann::json with = run_smp("paper/smp-read-64k.json", kTwoSeconds, "reorder-prequeue");
  const nlohmann::json& tcp = with["tcp"];
  EXPECT_GT(tcp["retransmissions"].get<double>(), 0);
  EXPECT_EQ(tcp["duplicate_segments_received"], tcp["retransmissions"]);
  EXPECT_EQ(tcp["timeouts"], 0);
  EXPECT_GT(tcp["dup_acks_received"].get<double>(), 0);

  const nlohmann::json without = run_smp("paper/smp-read-64k.json", kTwoSeconds + " --set tcp.low_latency=true", "reorder-direct");
  EXPECT_EQ(without["tcp"]["retransmissions"], 0);
  EXPECT_EQ(without["tcp"]["dup_acks_received"], 0);
}

}  // namespace
}  // namespace iscsim::testing
