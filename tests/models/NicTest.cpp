#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "ModelFixtures.hpp"
#include "models/nic/Pro1000Nic.hpp"

namespace iscsim::models {
namespace {

constexpr std::uint32_t kFullFrame = 1514;
constexpr Picos kFrameSlot = 12'304'000;  // 1538 B at 1 Gb/s

struct NicRig {
  explicit NicRig(NicDriverSettings s, double clock_offset_ppm = 0)
      : pci(PciBusParams::from(testing::params("pci", "pci-x-133"))),
        fsb(MemoryBusParams::from(testing::params("memory", "fsb-400"))),
        wire(EthernetFraming::from(testing::params("link", "ethernet")), 1e9, picos_from_micros(1)),
        nic(Pro1000Params::from(testing::params("nic", "pro1000")), s, pci, fsb, wire, clock_offset_ppm) {}
  PciBus pci;
  MemoryBus fsb;
  EthernetLinkDirection wire;
  Pro1000Nic nic;
};

NicDriverSettings defaults() {
  NicDriverSettings s;
  s.tx_ring = 256;
  s.rx_ring = 256;
  s.itr_ints_per_s = 8000;
  s.radv = picos_from_micros(131.072);
  s.tidv = picos_from_micros(65.536);
  s.tadv = picos_from_micros(65.536);
  return s;
}

TEST(Pro1000, RingSizesMustBeMultiplesOfEight) {
  NicDriverSettings s = defaults();
  s.rx_ring = 100;
  EXPECT_THROW(NicRig{s}, ParamError);
}

TEST(Pro1000, ReceivedFrameLandsAfterItsDma) {
  NicRig r(defaults());
  r.nic.receive(0, kFullFrame, 7);
  const auto at = r.nic.next_interrupt();
  ASSERT_TRUE(at.has_value());
  EXPECT_GT(*at, 0);
  EXPECT_TRUE(r.nic.clean_rx(*at - 1).delivered.empty());
  const auto frames = r.nic.clean_rx(*at).delivered;
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], 7u);
}

TEST(Pro1000, ItrThrottlesInterruptsTo8000PerSecond) {
  NicRig r(defaults());
  // Line-rate arrivals for 1 ms: 81 frames, but at most 8 interrupts after the first.
  for (int i = 0; i < 81; ++i) r.nic.receive(i * kFrameSlot, kFullFrame, i);
  Picos last = -1;
  int interrupts = 0;
  std::size_t delivered = 0;
  while (auto t = r.nic.next_interrupt()) {
    if (last >= 0) {
      EXPECT_GE(*t - last, picos_from_nanos(488 * 256));  // ITR = 488 units of 256 ns
    }
    r.nic.take_interrupt(*t);
    const auto frames = r.nic.clean_rx(*t).delivered;
    delivered += frames.size();
    r.nic.refill_rx(static_cast<std::uint32_t>(frames.size()));
    last = *t;
    ++interrupts;
  }
  EXPECT_EQ(delivered, 81u);
  EXPECT_LE(interrupts, 9);
  EXPECT_GE(interrupts, 8);
}

// The interval between two throttled interrupts under continuous arrivals.
Picos itr_gap(double clock_offset_ppm) {
  NicRig r(defaults(), clock_offset_ppm);
  for (int i = 0; i < 81; ++i) r.nic.receive(i * kFrameSlot, kFullFrame, i);
  std::vector<Picos> at;
  while (auto t = r.nic.next_interrupt()) {
    r.nic.take_interrupt(*t);
    r.nic.refill_rx(static_cast<std::uint32_t>(r.nic.clean_rx(*t).delivered.size()));
    at.push_back(*t);
  }
  return at.at(2) - at.at(1);
}

TEST(Pro1000, ANicWhoseClockRunsFastThrottlesOnItsOwnClock) {
  // ITR = 488 units of 256 ns; a clock 100 ppm fast counts them 100 ppm sooner, so two NICs
  // that start together drift apart instead of interrupting in lockstep forever.
  const Picos nominal = picos_from_nanos(488 * 256);
  EXPECT_EQ(itr_gap(0), nominal);
  EXPECT_EQ(itr_gap(100), std::llround(static_cast<double>(nominal) / (1 + 100e-6)));
  EXPECT_GT(itr_gap(-100), nominal);
  EXPECT_THROW(NicRig(defaults(), 101), ParamError);  // beyond the 100 ppm tolerance
}

TEST(Pro1000, ReceiveDelayTimerRestartsAndIsBoundedByAbsoluteTimer) {
  NicDriverSettings s = defaults();
  s.itr_ints_per_s = 0;
  s.rdtr = picos_from_micros(20.48);   // 20 units
  s.radv = picos_from_micros(102.4);   // 100 units
  NicRig r(s);
  // Frames every 12.3 us keep restarting the 20 us packet timer; the absolute timer ends it.
  for (int i = 0; i < 20; ++i) r.nic.receive(i * kFrameSlot, kFullFrame, i);
  const auto t = r.nic.next_interrupt();
  ASSERT_TRUE(t.has_value());
  r.nic.take_interrupt(0);  // nothing cleared yet; compute from the first landing
  NicRig single(s);
  single.nic.receive(0, kFullFrame, 0);
  const Picos first_landing = *single.nic.next_interrupt() - s.rdtr;
  EXPECT_EQ(*t, first_landing + s.radv);
}

TEST(Pro1000, AStreamThatKeepsThePacketTimerRunningInterruptsWhenHalfTheRingIsTaken) {
  // e1000 4.1.7's settings: RDTR alone, no absolute timer, no throttle. Frames every 12.3 us keep
  // restarting the 66 us packet timer; RXDMT0 asserts at the landing that leaves half the ring.
  NicDriverSettings s = defaults();
  s.itr_ints_per_s = 0;
  s.rdtr = picos_from_micros(65.536);
  s.radv = 0;
  s.rx_ring = 64;  // 63 usable: the 31st landing leaves 32 free
  NicRig r(s);
  std::vector<Picos> landed;
  for (int i = 0; i < 40; ++i) landed.push_back(r.nic.receive(i * kFrameSlot, kFullFrame, i));
  ASSERT_EQ(r.nic.next_interrupt(), std::optional<Picos>(landed[30]));
  // Cleaned and refilled, the ring is back above the threshold: the packet timer decides again.
  r.nic.take_interrupt(landed[30]);
  r.nic.refill_rx(static_cast<std::uint32_t>(r.nic.clean_rx(landed[30]).delivered.size()));
  ASSERT_EQ(r.nic.next_interrupt(), std::optional<Picos>(landed[39] + s.rdtr));
  r.nic.take_interrupt(landed[39] + s.rdtr);
  EXPECT_EQ(r.nic.counters().interrupts, 2u);
  EXPECT_EQ(r.nic.counters().rxdmt0_interrupts, 1u);  // the first; the timer raised the second
}

TEST(Pro1000, ADriversModerationComesFromItsParameterSetInTimerUnits) {
  const Pro1000Params nic = Pro1000Params::from(testing::params("nic", "pro1000"));
  const NicDriverSettings d = driver_moderation(defaults(), testing::params("driver", "e1000-4.1.7"), nic);
  EXPECT_EQ(d.itr_ints_per_s, 0);
  EXPECT_EQ(d.rdtr, 64 * nic.delay_timer_unit);  // RxIntDelay 64
  EXPECT_EQ(d.radv, 0);
  EXPECT_EQ(d.tidv, 64 * nic.delay_timer_unit);  // TxIntDelay 64
  EXPECT_EQ(d.tadv, 0);
  EXPECT_EQ(d.rx_ring, defaults().rx_ring);  // the rings stay as given
  // A delay beyond the 16-bit register is refused.
  const ParamSet too_long(nlohmann::json::parse(R"({"params": {
      "itr_ints_per_s": {"value": 0, "unit": "1/s", "source": "test"},
      "rdtr_us": {"value": 70000, "unit": "us", "source": "test"},
      "radv_us": {"value": 0, "unit": "us", "source": "test"},
      "tidv_us": {"value": 0, "unit": "us", "source": "test"},
      "tadv_us": {"value": 0, "unit": "us", "source": "test"}}})"),
                          "too-long");
  EXPECT_THROW(driver_moderation(defaults(), too_long, nic), ParamError);
}

TEST(Pro1000, FramesBeyondFreeDescriptorsAreOverruns) {
  NicDriverSettings s = defaults();
  s.rx_ring = 8;  // 7 usable
  NicRig r(s);
  for (int i = 0; i < 10; ++i) r.nic.receive(i * kFrameSlot, kFullFrame, i);
  const auto cleaned = r.nic.clean_rx(picos_from_micros(1000));
  EXPECT_EQ(cleaned.delivered.size(), 7u);
  EXPECT_EQ(cleaned.dropped.size(), 3u);
  EXPECT_EQ(r.nic.counters().rx_overruns, 3u);
}

TEST(Pro1000, TransmitDescriptorsReturnAfterCompletion) {
  NicRig r(defaults());
  EXPECT_EQ(r.nic.tx_free(), 255u);
  const FrameTransit a = r.nic.transmit(0, kFullFrame);
  const FrameTransit b = r.nic.transmit(0, kFullFrame);
  EXPECT_EQ(r.nic.tx_free(), 253u);
  EXPECT_GE(b.start, a.start + kFrameSlot);  // FIFO on the wire
  EXPECT_EQ(r.nic.clean_tx(a.end - 1), 0u);
  EXPECT_EQ(r.nic.clean_tx(picos_from_micros(1000)), 2u);
  EXPECT_EQ(r.nic.tx_free(), 255u);
  EXPECT_EQ(r.nic.counters().tx_frames, 2u);
}

TEST(Pro1000, AFrameInSeveralDescriptorsTakesThemAllAndGivesThemAllBackAsOneFrame) {
  // A zero-copy frame: a checksum context, its headers and two pieces of page.
  NicRig r(defaults());
  const FrameTransit one = r.nic.transmit(0, kFullFrame, 4);
  EXPECT_EQ(r.nic.tx_free(), 251u);
  r.nic.transmit(0, kFullFrame);
  EXPECT_EQ(r.nic.tx_free(), 250u);
  EXPECT_EQ(r.nic.clean_tx(one.end + picos_from_micros(2)), 1u);
  EXPECT_EQ(r.nic.tx_free(), 254u);
  EXPECT_EQ(r.nic.clean_tx(picos_from_micros(1000)), 1u);
  EXPECT_EQ(r.nic.tx_free(), 255u);
  EXPECT_EQ(r.nic.counters().tx_frames, 2u);
  EXPECT_EQ(r.nic.counters().tx_descriptors, 5u);
}

TEST(Pro1000, TransmitCompletionRaisesADelayedInterrupt) {
  NicRig r(defaults());
  const FrameTransit a = r.nic.transmit(0, kFullFrame);
  const auto t = r.nic.next_interrupt();
  ASSERT_TRUE(t.has_value());
  EXPECT_GE(*t, a.end + r.nic.settings().tidv);
}

}  // namespace
}  // namespace iscsim::models
