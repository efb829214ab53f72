#pragma once
// The bytes of a RAM disk: fixed capacity, kept per page only where something was written.
// A never-written block reads as the store's BlockPattern generates it (zeros by default); a
// written block the pattern can regenerate is kept as its code (4 bytes), anything else as
// bytes. Every read returns exactly what was written, so a large LUN, or one a workload fills
// with its own stamps, costs memory only for the pages written with data of its own.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "sim/stack/scsi/BlockPattern.hpp"

namespace iscsim::stack::scsi {

class SparseStore {
 public:
  static constexpr std::uint32_t kDefaultPageBytes = 1 << 16;

  // Throws std::invalid_argument unless `page_bytes` is a positive multiple of the pattern's block.
  explicit SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes = kDefaultPageBytes);

  // What never-written blocks hold from now on; same rule as the constructor for page_bytes.
  // Pages written before keep their contents (their codes are translated to bytes).
  void set_pattern(std::shared_ptr<const BlockPattern> pattern);

  // [offset, offset + len) must lie within capacity(): the caller checks (asserted in debug).
  void read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const;
  void write(std::uint64_t offset, const std::uint8_t* in, std::size_t len);

  std::uint64_t capacity() const { return capacity_; }
  std::uint32_t page_bytes() const { return page_bytes_; }
  std::size_t resident_pages() const { return pages_.size(); }
  // Of those, pages kept as bytes: written with data the pattern has no code for.
  std::size_t raw_pages() const;

 private:
  // A written page: one code per pattern block, or, once data without a code was written, bytes.
  struct Page {
    std::unique_ptr<std::uint32_t[]> codes;
    std::unique_ptr<std::uint8_t[]> bytes;
  };

  std::uint32_t blocks_per_page() const { return page_bytes_ / block_bytes_; }
  // Codes for the blocks of [in_page, in_page + n) holding `in`, or false when one has none
  // (then the span must be written as bytes).
  bool encode(std::uint64_t page, std::size_t in_page, const std::uint8_t* in, std::size_t n,
              std::uint32_t* codes) const;
  // Generates the bytes [in_page, in_page + n) of a page kept as codes (null: never written).
  void generate(std::uint64_t page, const std::uint32_t* codes, std::size_t in_page, std::uint8_t* out,
                std::size_t n) const;
  // Turns `p` (codes, or null codes for a new page) into bytes.
  void materialize(std::uint64_t page, Page& p) const;

  std::uint64_t capacity_;
  std::uint32_t page_bytes_;
  std::uint32_t block_bytes_;
  std::shared_ptr<const BlockPattern> pattern_;
  std::unordered_map<std::uint64_t, Page> pages_;  // by page index
};

}  // namespace iscsim::stack::scsi
