// The target's timing: the RAM disk's work and the network stack's, on the target host's thread
// CPU and interrupt CPU, each in arrival order.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ModelFixtures.hpp"
#include "models/disk/RamDisk.hpp"

namespace iscsim::models {
namespace {

constexpr Picos kNs = kPicosPerNano;

// Round figures: a command 1,000 ns, no blocks' or copy's time worth counting; 1,000 B segments.
RamDiskParams round_params() {
  RamDiskParams p;
  p.per_command = 1000 * kNs;
  p.block_bytes = 1024;
  p.per_block = 0;
  p.copy_bytes_per_s = 1e18;
  p.segment_payload_bytes = 1000;
  p.rx_interrupt_per_segment = 300 * kNs;
  p.rx_thread_per_segment = 200 * kNs;
  p.tx_thread_per_segment = 100 * kNs;
  p.tx_interrupt_per_segment = 50 * kNs;
  return p;
}

TEST(RamDisk, ReceivedDataGoesThroughTheInterruptCpuThenTheThreadCpu) {
  RamDisk d(round_params());
  EXPECT_EQ(d.receive(0, 2000), 2 * 300 * kNs + 2 * 200 * kNs);
  EXPECT_EQ(d.interrupt_busy_total(), 600 * kNs);
  EXPECT_EQ(d.busy_total(), 400 * kNs);
  // A part-filled segment costs a whole one.
  RamDisk e(round_params());
  EXPECT_EQ(e.receive(0, 1), 500 * kNs);
}

TEST(RamDisk, EachCpuTakesItsWorkInArrivalOrder) {
  RamDisk d(round_params());
  const Picos first = d.receive(0, 1000);   // interrupt CPU 0-300, thread 300-500
  const Picos second = d.receive(0, 1000);  // interrupt CPU 300-600, thread 600-800
  EXPECT_EQ(first, 500 * kNs);
  EXPECT_EQ(second, 800 * kNs);
  // A command behind them waits for the thread CPU.
  EXPECT_EQ(d.serve(0, 0), 1800 * kNs);
  EXPECT_EQ(d.commands(), 1u);
}

TEST(RamDisk, SendingHoldsTheThreadForItsCallsAndTheInterruptCpuForTheCompletions) {
  RamDisk d(round_params());
  EXPECT_EQ(d.send(0, 3000), 300 * kNs);  // the thread's part ends the call
  EXPECT_EQ(d.interrupt_busy_total(), 150 * kNs);
  // What arrives next waits behind the completions on the interrupt CPU, then behind nothing.
  EXPECT_EQ(d.receive(0, 1000), 150 * kNs + 300 * kNs + 200 * kNs);
}

TEST(RamDisk, WithoutStackTimeArrivalsWaitForNothing) {
  RamDiskParams p = round_params();
  p.rx_interrupt_per_segment = p.rx_thread_per_segment = 0;
  p.tx_thread_per_segment = p.tx_interrupt_per_segment = 0;
  RamDisk d(p);
  d.serve(0, 0);  // the thread CPU busy until 1,000 ns
  EXPECT_EQ(d.receive(10 * kNs, 5000), 10 * kNs);
  EXPECT_EQ(d.send(20 * kNs, 5000), 20 * kNs);
  EXPECT_EQ(d.busy_total(), 1000 * kNs);
}

TEST(RamDisk, ReadsTheShippedTargetsAndTheVariantThatChargesItsStack) {
  const RamDiskParams shipped = RamDiskParams::from(testing::params("disk", "linux-2.4-rd"));
  EXPECT_EQ(shipped.rx_interrupt_per_segment + shipped.rx_thread_per_segment, 0);
  EXPECT_EQ(shipped.tx_interrupt_per_segment + shipped.tx_thread_per_segment, 0);
  const RamDiskParams stack = RamDiskParams::from(testing::params("disk", "linux-2.4-rd-xeon-stack"));
  EXPECT_EQ(stack.segment_payload_bytes, 1448u);
  // platform-params section 11's budgets at 2.4 GHz: 13,500 cycles a segment received, 10,600 sent.
  const double rx_ns = static_cast<double>(stack.rx_interrupt_per_segment + stack.rx_thread_per_segment) / kNs;
  const double tx_ns = static_cast<double>(stack.tx_interrupt_per_segment + stack.tx_thread_per_segment) / kNs;
  EXPECT_NEAR(rx_ns * 2.4, 13500, 50);
  EXPECT_NEAR(tx_ns * 2.4, 10600, 50);
  EXPECT_EQ(stack.per_command, shipped.per_command);
}

TEST(RamDisk, RejectsANegativeStackTime) {
  nlohmann::json doc = nlohmann::json::parse(R"({"params": {
      "per_command_ns": {"value": 1, "unit": "ns", "source": "s"},
      "block_bytes": {"value": 1024, "unit": "B", "source": "s"},
      "per_block_ns": {"value": 1, "unit": "ns", "source": "s"},
      "copy_bytes_per_s": {"value": 1e9, "unit": "B/s", "source": "s"},
      "segment_payload_bytes": {"value": 1448, "unit": "B", "source": "s"},
      "rx_interrupt_per_segment_ns": {"value": 1, "unit": "ns", "source": "s"},
      "rx_thread_per_segment_ns": {"value": -1, "unit": "ns", "source": "s"},
      "tx_thread_per_segment_ns": {"value": 1, "unit": "ns", "source": "s"},
      "tx_interrupt_per_segment_ns": {"value": 1, "unit": "ns", "source": "s"}}})");
  try {
    RamDiskParams::from(ParamSet(doc, "bad-disk.json"));
    FAIL() << "accepted a negative stack time";
  } catch (const ParamError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad-disk.json"), std::string::npos) << what;
    EXPECT_NE(what.find("must not be negative"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace iscsim::models
