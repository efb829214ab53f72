#pragma once
// The write generation the workload expects of every block of a disk: the generation a
// prepared block starts at inside the test file IOmeter prepares before a read run, 0 (zeros)
// elsewhere, one more per write. Kept in chunks allocated on a block's first write, so a large
// LUN costs memory only where the run writes.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

namespace iscsim::workload {

// Blocks [first, first + blocks).
struct Extent {
  std::uint64_t first = 0;
  std::uint64_t blocks = 0;
};

// The generation of a block IOmeter's preparation wrote (0 means never written).
inline constexpr std::uint32_t kPreparedGeneration = 1;

// The generation `lba` holds before the run writes it, given the prepared extents.
std::uint32_t initial_generation(const std::vector<Extent>& prepared, std::uint64_t lba);

class Generations {
 public:
  void set_prepared(std::vector<Extent> prepared) { prepared_ = std::move(prepared); }
  const std::vector<Extent>& prepared() const { return prepared_; }

  std::uint32_t get(std::uint64_t lba) const;
  // One more write of `lba`: returns its new generation.
  std::uint32_t bump(std::uint64_t lba);
  std::size_t chunks() const { return chunks_.size(); }

 private:
  static constexpr unsigned kChunkShift = 12;  // 4096 blocks (2 MiB of 512-byte blocks) per chunk
  static constexpr std::uint64_t kChunkBlocks = std::uint64_t{1} << kChunkShift;

  std::vector<Extent> prepared_;
  std::unordered_map<std::uint64_t, std::unique_ptr<std::uint32_t[]>> chunks_;
};

}  // namespace iscsim::workload
