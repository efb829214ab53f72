// The SMP host's socket calls pass the BSD socket layer (the paper's Interface rows) above TCP's
// functions (its TCP rows), once a call, on the CPU that makes it.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

TEST(SmpHost, EverySocketCallPassesTheBsdSocketLayerOnceAboveTcp) {
  // sock_sendmsg and sock_recvmsg (with inet_sendmsg and inet_recvmsg) are the paper's sockets
  // API; tcp_sendmsg and tcp_recvmsg are TCP's. Both workloads receive (R2Ts and responses too)
  // and send (commands too).
  for (const char* workload : {"read", "write"}) {
    const nlohmann::json r = run_smp(std::string("paper/smp-") + workload + "-64k.json", "", std::string("sockets-") + workload);
    double receives = 0, sends = 0;
    for (const auto& cpu : r["cpus"]) {
      const double tcp_receives = path_count(cpu, "tcp_recvmsg");
      EXPECT_NEAR(path_count(cpu, "sock_recvmsg"), tcp_receives, 1e-9 * tcp_receives) << workload << " CPU" << cpu["id"];
      EXPECT_EQ(path_count(cpu, "sock_sendmsg"), path_count(cpu, "tcp_sendmsg")) << workload << " CPU" << cpu["id"];
      receives += tcp_receives;
      sends += path_count(cpu, "tcp_sendmsg");
    }
    EXPECT_GT(receives, 0) << workload;
    EXPECT_GT(sends, 0) << workload;
  }
}

}  // namespace
}  // namespace iscsim::testing
