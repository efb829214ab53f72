#include "models/memory/PageMap.hpp"

namespace iscsim::models {

void PageMap::set(std::uint64_t page, std::uint32_t value) {
  const std::uint64_t chunk = page >> kChunkBits;
  if (chunk >= chunks_.size()) chunks_.resize(chunk + 1);
  if (!chunks_[chunk]) chunks_[chunk] = std::make_unique<std::uint32_t[]>(kChunkMask + 1);  // zeroed: no value
  chunks_[chunk][page & kChunkMask] = value;
}

}  // namespace iscsim::models
