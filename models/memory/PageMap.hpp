#pragma once
// A map from page numbers to small non-zero values (0: none), read in two array steps: a table of
// chunks of pages, each chunk made when a page in it is first set. Pages never set cost nothing
// but the table's slot, so large regions in between stay cheap.
#include <cstdint>
#include <memory>
#include <vector>

namespace iscsim::models {

class PageMap {
 public:
  void set(std::uint64_t page, std::uint32_t value);
  std::uint32_t get(std::uint64_t page) const {
    const std::uint64_t chunk = page >> kChunkBits;
    if (chunk >= chunks_.size() || !chunks_[chunk]) return 0;
    return chunks_[chunk][page & kChunkMask];
  }

 private:
  // 1024 pages a chunk: 4 KiB of entries cover 4 MiB of 4 KiB pages.
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::uint64_t kChunkMask = (std::uint64_t{1} << kChunkBits) - 1;
  std::vector<std::unique_ptr<std::uint32_t[]>> chunks_;
};

}  // namespace iscsim::models
