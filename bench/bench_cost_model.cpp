// Google Benchmark of CpuCostModel::run as a host charges it: the shipped NetBurst Xeon and
// calibrated Linux 2.4 paths, a piece of work charging one path after another, each reading its
// resident code and touching one line of data (the cost of the model's arithmetic around the
// cache lookups). Items are paths charged.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "models/bus/MemoryBus.hpp"
#include "models/cache/CoherentCaches.hpp"
#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"

namespace {

using namespace iscsim::models;

ParamSet shipped_params(const std::string& kind, const std::string& name) {
  return ParamSet::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params", kind, name);
}

constexpr int kHostCpus = 2;
constexpr double kHz = 2.2e9;     // the paper's 2.2 GHz Xeons
constexpr int kPathsPerPiece = 8;  // a softirq's worth of paths between two scheduling points

void BM_CostModelRun(benchmark::State& state) {
  const CodePathCatalog catalog =
      CodePathCatalog::load(std::string(ISCSIM_SOURCE_DIR) + "/models/params/paths/linux-2.4-calibrated.json");
  CoherentCaches caches(CacheGeometry::from(shipped_params("cache", "xeon-prestonia-l2")), kHostCpus);
  MemoryBus fsb(MemoryBusParams::from(shipped_params("memory", "fsb-400")));
  AddressSpace memory(caches.geometry().line_bytes, 4096);
  CpuCostModel model(CpuParams::from(shipped_params("cpu", "netburst-xeon")), catalog, caches, fsb, memory, kHostCpus, kHz);
  const Addr data = memory.region(4096);
  model.set_counting(true);
  Picos now = 0;
  std::size_t path = 0;
  for (auto _ : state) {
    model.begin_piece(0, now);
    for (int i = 0; i < kPathsPerPiece; ++i) {
      benchmark::DoNotOptimize(model.run(0, path, 1, 0, {{data, caches.geometry().line_bytes, true}}, now));
      path = (path + 1) % catalog.size();
    }
    now += kPicosPerMicro;
    model.end_piece(0, now);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kPathsPerPiece));
}
BENCHMARK(BM_CostModelRun);

}  // namespace
