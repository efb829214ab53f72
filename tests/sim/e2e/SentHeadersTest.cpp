// Where a sent frame's headers are written: in its sk_buff's data, in front of the payload
// (tcp_transmit_skb, ip_queue_xmit and the cached link header), and for an ACK in data of its own.
// Properties only.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

// L2 misses per call of `path`, over every CPU of the run.
double misses_per_call(const nlohmann::json& r, const char* path) { return per_call(r, path, "l2_misses"); }

TEST(SmpHost, TcpWritesEachSentFramesHeadersInItsSkbuffsDataWhichMovesBetweenTheCpus) {
  // A segment's data buffer comes back to a CPU's slab from wherever its ACK freed it, an ACK's
  // from the CPU that cleaned the TX ring: the lines its headers go to are seldom in the sending
  // CPU's cache. Without them TCP's transmit takes its socket's and route's lines alone.
  const std::string off = patched_params("no-headers-objects", "kernel", "linux-2.4-objects", {{"sent_headers_in_data", 0}});
  for (const char* workload : {"read", "write"}) {
    const std::string scenario = std::string("paper/smp-") + workload + "-64k.json";
    const nlohmann::json with = run_smp(scenario, "", std::string("headers-") + workload);
    const nlohmann::json without = run_smp(scenario, " --set host.kernel_objects=" + off, std::string("no-headers-") + workload);
    EXPECT_GT(misses_per_call(with, "tcp_transmit"), misses_per_call(without, "tcp_transmit") + 0.3) << workload;
  }
}

TEST(AmpHost, ThePpesSentHeadersStayInItsCacheWhereTheSmpHostsCpusMissThem) {
  // The PPE allocates, writes and frees every sent sk_buff's data itself: its headers' lines
  // stay in its cache, where the SMP host's CPUs hand the buffers to each other.
  for (const char* workload : {"read", "write"}) {
    const std::string w = workload;
    const nlohmann::json amp = run_amp("paper/amp-" + w + "-64k.json", "", "amp-headers-" + w);
    const nlohmann::json smp = run_smp("paper/smp-" + w + "-64k.json", "", "smp-headers-" + w);
    EXPECT_LT(2 * misses_per_call(amp, "tcp_transmit"), misses_per_call(smp, "tcp_transmit")) << workload;
  }
}

}  // namespace
}  // namespace iscsim::testing
