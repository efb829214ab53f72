// Google Benchmark of the coherent cache model's per-line cost in the patterns a run makes: a
// code path's footprint read again and again (hits, searched or hinted), a received frame's
// lines invalidated by DMA then copied to a user buffer (misses, sector fills, evictions), and a
// write to lines the other CPU holds (invalidations). Items are cache lines.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "models/cache/CoherentCaches.hpp"

namespace {

using iscsim::models::Addr;
using iscsim::models::CacheGeometry;
using iscsim::models::CoherentCaches;

// The shipped Xeon L2 (models/params/cache/xeon-prestonia-l2.json), two CPUs.
CacheGeometry xeon_l2() {
  CacheGeometry g;
  g.size_bytes = 512 * 1024;
  g.ways = 8;
  g.line_bytes = 64;
  g.sector_lines = 2;
  return g;
}
constexpr int kCpus = 2;
constexpr Addr kCode = 0x100000;
constexpr Addr kBuffers = 0x10000000;
constexpr Addr kUser = 0x40000000;
constexpr std::uint64_t kFrameBytes = 1448;
constexpr std::uint64_t kRing = 256;  // receive buffers in turn, 2 KB apart (size-2048 slab)
constexpr std::uint64_t kSlab = 2048;
constexpr std::uint64_t kUserBytes = 4 << 20;

void BM_CacheFootprintHits(benchmark::State& state) {
  CoherentCaches c(xeon_l2(), kCpus);
  const auto bytes = static_cast<std::uint64_t>(state.range(0));
  c.read(0, kCode, bytes);
  for (auto _ : state) benchmark::DoNotOptimize(c.read(0, kCode, bytes));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bytes / 64));
}
BENCHMARK(BM_CacheFootprintHits)->Arg(1024)->Arg(4096);

// The same re-read as the cost model makes it, with the way each line was in last time.
void BM_CacheFootprintHitsHinted(benchmark::State& state) {
  CoherentCaches c(xeon_l2(), kCpus);
  const auto bytes = static_cast<std::uint64_t>(state.range(0));
  std::vector<std::uint8_t> hints(bytes / 64);
  c.read_hinted(0, kCode, bytes, hints.data());
  for (auto _ : state) benchmark::DoNotOptimize(c.read_hinted(0, kCode, bytes, hints.data()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * bytes / 64));
}
BENCHMARK(BM_CacheFootprintHitsHinted)->Arg(1024)->Arg(4096);

// One received frame: DMA into a ring buffer, then copy_to_user reads it and writes user memory.
void BM_CacheReceiveCopy(benchmark::State& state) {
  CoherentCaches c(xeon_l2(), kCpus);
  std::uint64_t frame = 0;
  std::uint64_t user = 0;
  for (auto _ : state) {
    const Addr buffer = kBuffers + (frame++ % kRing) * kSlab;
    c.dma_write(buffer, kFrameBytes);
    benchmark::DoNotOptimize(c.read(1, buffer, kFrameBytes));
    benchmark::DoNotOptimize(c.write(1, kUser + user, kFrameBytes));
    user = (user + kFrameBytes) % kUserBytes;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 3 * ((kFrameBytes + 63) / 64)));
}
BENCHMARK(BM_CacheReceiveCopy);

// Two CPUs writing the same lines in turn: every line moves with an invalidation.
void BM_CachePingPongWrites(benchmark::State& state) {
  CoherentCaches c(xeon_l2(), kCpus);
  int cpu = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.write(cpu, kBuffers, 1024));
    cpu = 1 - cpu;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * 1024 / 64));
}
BENCHMARK(BM_CachePingPongWrites);

}  // namespace
