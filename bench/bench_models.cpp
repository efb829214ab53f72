// Google Benchmark of the hardware models' per-transaction work besides the caches, in the
// patterns a run makes: a slab object freed and allocated again among thousands live, a bus
// booking among transfers already booked ahead of it, and frames received and sent in bursts
// through the PRO/1000 (descriptor and payload DMA booked on PCI-X and the FSB, the wire, the
// ring cleaned). Items are operations: a free and an alloc, a booking, a frame.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "models/bus/BusyTimeline.hpp"
#include "models/bus/MemoryBus.hpp"
#include "models/bus/PciBus.hpp"
#include "models/memory/AddressSpace.hpp"
#include "models/nic/Pro1000Nic.hpp"

namespace {

using namespace iscsim::models;

ParamSet shipped(const std::string& kind, const std::string& name) {
  return ParamSet::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params", kind, name);
}

constexpr std::uint32_t kLine = 64;
constexpr std::uint32_t kPage = 4096;
constexpr std::uint32_t kSkbData = 2048;  // the size-2048 slab receive buffers come from

// Frees a random one of `live` socket-buffer data objects and allocates one again.
void BM_SlabFreeAlloc(benchmark::State& state) {
  AddressSpace space(kLine, kPage);
  SlabCache& cache = space.cache("size-2048", kSkbData);
  std::vector<Addr> live(static_cast<std::size_t>(state.range(0)));
  for (Addr& a : live) {
    a = cache.alloc();
    space.region(kPage);  // other allocations between the slabs, as in a run
  }
  std::mt19937_64 rng(15);
  for (auto _ : state) {
    Addr& a = live[rng() % live.size()];
    cache.free(a);
    a = cache.alloc();
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_SlabFreeAlloc)->Arg(256)->Arg(4096);

// A transfer booked now while completions are booked a ring's worth of frames ahead, history
// forgotten as the driver cleans: most bookings land among the first of those booked ahead.
void BM_BusyTimelineBook(benchmark::State& state) {
  constexpr Picos kFrame = 12'304'000;  // a full frame's slot at 1 Gb/s
  constexpr Picos kShort = 100'000;
  const Picos ahead = state.range(0) * kFrame;
  BusyTimeline t;
  Picos now = 0;
  std::uint64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.book(now, kShort));
    benchmark::DoNotOptimize(t.book(now + ahead, kShort));
    now += kFrame;
    if (++n % 64 == 0) t.forget_before(now);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(2 * state.iterations()));
}
BENCHMARK(BM_BusyTimelineBook)->Arg(16)->Arg(128);

constexpr std::uint32_t kFullFrame = 1514;
constexpr Picos kFrameSlot = 12'304'000;  // a full frame's time on a gigabit wire
constexpr std::uint32_t kNicRing = 256;

// The shipped PRO/1000 with rings of kNicRing descriptors, on PCI-X and the FSB, sending onto a
// gigabit wire.
struct ShippedNic {
  static NicDriverSettings rings() {
    NicDriverSettings s;
    s.tx_ring = kNicRing;
    s.rx_ring = kNicRing;
    return s;
  }
  static constexpr double kGigabit = 1e9;  // bits per second
  PciBus pci{PciBusParams::from(shipped("pci", "pci-x-133"))};
  MemoryBus fsb{MemoryBusParams::from(shipped("memory", "fsb-400"))};
  EthernetLinkDirection wire{EthernetFraming::from(shipped("link", "ethernet")), kGigabit, 0};
  Pro1000Nic nic{Pro1000Params::from(shipped("nic", "pro1000")), rings(), pci, fsb, wire};
};

// Full-size frames arriving at line rate, the ring cleaned and refilled every eight.
void BM_NicReceiveFrames(benchmark::State& state) {
  constexpr int kCleanEvery = 8;
  ShippedNic shipped_nic;
  Pro1000Nic& nic = shipped_nic.nic;
  Picos now = 0;
  std::uint64_t token = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nic.receive(now, kFullFrame, token));
    now += kFrameSlot;
    if (++token % kCleanEvery == 0) {
      const auto cleaned = nic.clean_rx(now);
      nic.refill_rx(static_cast<std::uint32_t>(cleaned.delivered.size()));
      nic.settle(now);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NicReceiveFrames);

// Full-size frames posted in bursts of a ring's quarter at once, as a sender drains its socket:
// each frame's descriptor fetch is booked among the write-backs of the frames queued on the wire
// ahead of it, its time on the wire is the link's, and the ring is cleaned after each burst.
void BM_NicTransmitBursts(benchmark::State& state) {
  constexpr std::uint32_t kBurst = kNicRing / 4;
  ShippedNic shipped_nic;
  Pro1000Nic& nic = shipped_nic.nic;
  Picos now = 0;
  std::uint32_t in_burst = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(nic.transmit(now, kFullFrame));
    if (++in_burst == kBurst) {
      in_burst = 0;
      now += kBurst * kFrameSlot;
      benchmark::DoNotOptimize(nic.clean_tx(now));
      nic.settle(now);
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_NicTransmitBursts);

}  // namespace
