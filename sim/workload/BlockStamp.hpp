#pragma once
// What the IOmeter-like workload writes into each 512-byte block: its LBA, its write generation
// and the disk's id, then filler derived from all three. A read can then tell a stale block, a
// misplaced block and a damaged block apart from the right one without keeping a copy.
#include <cstddef>
#include <cstdint>
#include <optional>

namespace iscsim::workload {

inline constexpr std::uint32_t kStampBlockBytes = 512;

struct StampKey {
  std::uint64_t disk = 0;
  std::uint64_t lba = 0;
  std::uint32_t generation = 0;  // 0: never written, the block must read as zeros
};

void stamp_block(const StampKey& key, std::uint8_t* block);
bool block_matches(const StampKey& key, const std::uint8_t* block);
// The generation whose stamp `block` holds exactly as block `lba` of `disk`, if it holds one
// (0 for zeros): the stamp names its generation, and every other byte is checked.
std::optional<std::uint32_t> stamped_generation(std::uint64_t disk, std::uint64_t lba, const std::uint8_t* block);

}  // namespace iscsim::workload
