#include "sim/workload/Generations.hpp"

namespace iscsim::workload {

std::uint32_t initial_generation(const std::vector<Extent>& prepared, std::uint64_t lba) {
  for (const Extent& e : prepared)
    if (lba >= e.first && lba - e.first < e.blocks) return kPreparedGeneration;
  return 0;
}

std::uint32_t Generations::get(std::uint64_t lba) const {
  const auto it = chunks_.find(lba >> kChunkShift);
  if (it == chunks_.end()) return initial_generation(prepared_, lba);
  return it->second[lba & (kChunkBlocks - 1)];
}

std::uint32_t Generations::bump(std::uint64_t lba) {
  auto [it, fresh] = chunks_.try_emplace(lba >> kChunkShift);
  if (fresh) {
    it->second = std::make_unique<std::uint32_t[]>(kChunkBlocks);
    const std::uint64_t first = lba & ~(kChunkBlocks - 1);
    for (std::uint64_t i = 0; i < kChunkBlocks; ++i) it->second[i] = initial_generation(prepared_, first + i);
  }
  return ++it->second[lba & (kChunkBlocks - 1)];
}

}  // namespace iscsim::workload
