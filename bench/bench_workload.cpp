// Google Benchmark of the workload's per-block work: the stamp a write puts in each 512-byte
// block and the check a read makes of it (a 64 KiB request is 128 blocks).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "sim/workload/BlockStamp.hpp"

namespace {

using iscsim::workload::block_matches;
using iscsim::workload::kStampBlockBytes;
using iscsim::workload::stamp_block;
using iscsim::workload::StampKey;

constexpr std::uint32_t kBlocks = 128;  // one 64 KiB request
constexpr std::uint64_t kDisk = 1;
constexpr std::uint32_t kGeneration = 3;

void BM_StampBlocks(benchmark::State& state) {
  std::vector<std::uint8_t> request(std::size_t{kBlocks} * kStampBlockBytes);
  std::uint64_t lba = 0;
  for (auto _ : state) {
    for (std::uint32_t i = 0; i < kBlocks; ++i)
      stamp_block(StampKey{kDisk, lba + i, kGeneration}, request.data() + std::size_t{i} * kStampBlockBytes);
    lba += kBlocks;
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * request.size()));
}
BENCHMARK(BM_StampBlocks);

void BM_CheckBlocks(benchmark::State& state) {
  std::vector<std::uint8_t> request(std::size_t{kBlocks} * kStampBlockBytes);
  for (std::uint32_t i = 0; i < kBlocks; ++i)
    stamp_block(StampKey{kDisk, i, kGeneration}, request.data() + std::size_t{i} * kStampBlockBytes);
  for (auto _ : state) {
    std::uint32_t good = 0;
    for (std::uint32_t i = 0; i < kBlocks; ++i)
      good += block_matches(StampKey{kDisk, i, kGeneration}, request.data() + std::size_t{i} * kStampBlockBytes) ? 1 : 0;
    benchmark::DoNotOptimize(good);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * request.size()));
}
BENCHMARK(BM_CheckBlocks);

}  // namespace
