// A NIC port tells a costed host when the NIC writes into its memory: a received frame (with its
// descriptor's status) when it lands, before the interrupt it raises; a sent frame's status when
// its transmission is done; nothing when the NIC's parameters have the host see them at its clean.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "sim/world/NicPort.hpp"
#include "tests/models/ModelFixtures.hpp"

namespace iscsim::world {
namespace {

constexpr std::uint32_t kFrameBytes = 1514;

struct PortRig {
  explicit PortRig(bool dma_writes_when_made = true)
      : pci(models::PciBusParams::from(models::testing::params("pci", "pci-x-133"))),
        fsb(models::MemoryBusParams::from(models::testing::params("memory", "fsb-400"))),
        sender(port("a", dma_writes_when_made)),
        receiver(port("b", dma_writes_when_made)) {
    sender->connect(receiver.get());
  }
  std::unique_ptr<NicPort> port(const char* name, bool dma_writes_when_made) {
    models::NicDriverSettings s;
    s.tx_ring = 256;
    s.rx_ring = 256;
    auto wire = std::make_unique<models::EthernetLinkDirection>(
        models::EthernetFraming::from(models::testing::params("link", "ethernet")), 1e9, models::picos_from_micros(1));
    models::Pro1000Params params = models::Pro1000Params::from(models::testing::params("nic", "pro1000"));
    params.dma_writes_when_made = dma_writes_when_made;
    auto nic = std::make_unique<models::Pro1000Nic>(params, s, pci, fsb, *wire);
    return std::make_unique<NicPort>(name, calendar, std::move(nic), std::move(wire), FaultInjector(scenario::LinkSpec{}, 1));
  }
  Calendar calendar;
  models::PciBus pci;
  models::MemoryBus fsb;
  std::unique_ptr<NicPort> sender;
  std::unique_ptr<NicPort> receiver;
};

TEST(NicPort, TellsAReceivedFramesWritesWhenItLandsBeforeItsInterrupt) {
  PortRig r;
  std::vector<std::pair<Picos, std::uint32_t>> landed;
  std::vector<Picos> interrupts;
  std::size_t cleaned = 0;
  r.receiver->set_dma_writes({[&](std::uint32_t bytes) { landed.emplace_back(r.calendar.now(), bytes); }, {}});
  r.receiver->set_interrupt_handler([&] {
    interrupts.push_back(r.calendar.now());
    cleaned += r.receiver->clean_rx().size();
  });
  r.sender->set_interrupt_handler([&] { r.sender->clean_tx(); });
  Frame frame(kFrameBytes, 0);
  ASSERT_TRUE(r.sender->transmit(frame));
  while (!r.calendar.empty()) r.calendar.run_next();
  ASSERT_EQ(landed.size(), 1u);
  EXPECT_EQ(landed[0].second, kFrameBytes);
  ASSERT_FALSE(interrupts.empty());
  EXPECT_GT(landed[0].first, 0);
  EXPECT_LE(landed[0].first, interrupts.front());
  EXPECT_EQ(cleaned, 1u);
}

TEST(NicPort, TellsASentFramesStatusWriteBackWhenTheNicMakesIt) {
  PortRig r;
  std::vector<Picos> written;
  r.sender->set_dma_writes({{}, [&] { written.push_back(r.calendar.now()); }});
  r.sender->set_interrupt_handler([&] { r.sender->clean_tx(); });
  r.receiver->set_interrupt_handler([&] { r.receiver->clean_rx(); });
  Frame first(kFrameBytes, 0);
  Frame second(kFrameBytes, 0);
  ASSERT_TRUE(r.sender->transmit(first));
  ASSERT_TRUE(r.sender->transmit(second));
  const Picos done = r.sender->nic().last_tx_done();
  while (!r.calendar.empty()) r.calendar.run_next();
  ASSERT_EQ(written.size(), 2u);
  EXPECT_LT(written[0], written[1]);  // the second waits for the first on the wire
  EXPECT_EQ(written[1], done);
}

TEST(NicPort, TellsNothingWhenTheHostIsToSeeTheWritesAtItsClean) {
  PortRig r(false);
  int told = 0;
  r.receiver->set_dma_writes({[&](std::uint32_t) { ++told; }, [&] { ++told; }});
  r.sender->set_dma_writes({[&](std::uint32_t) { ++told; }, [&] { ++told; }});
  r.receiver->set_interrupt_handler([&] { r.receiver->clean_rx(); });
  r.sender->set_interrupt_handler([&] { r.sender->clean_tx(); });
  Frame frame(kFrameBytes, 0);
  ASSERT_TRUE(r.sender->transmit(frame));
  while (!r.calendar.empty()) r.calendar.run_next();
  EXPECT_EQ(told, 0);
}

}  // namespace
}  // namespace iscsim::world
