#pragma once
// The bytes of a RAM disk: fixed capacity, pages allocated on first write, never-written bytes
// read as zeros, so a large LUN costs memory only where it was written (even its page table:
// a hash map, so a multi-terabyte LUN is as cheap as a small one).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace iscsim::stack::scsi {

class SparseStore {
 public:
  static constexpr std::uint32_t kDefaultPageBytes = 1 << 16;

  explicit SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes = kDefaultPageBytes);

  // [offset, offset + len) must lie within capacity(): the caller checks (asserted in debug).
  void read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const;
  void write(std::uint64_t offset, const std::uint8_t* in, std::size_t len);

  std::uint64_t capacity() const { return capacity_; }
  std::uint32_t page_bytes() const { return page_bytes_; }
  std::size_t resident_pages() const { return pages_.size(); }

 private:
  std::uint8_t* allocate(std::uint64_t page, std::size_t keep_from, std::size_t keep_to);

  std::uint64_t capacity_;
  std::uint32_t page_bytes_;
  std::unordered_map<std::uint64_t, std::unique_ptr<std::uint8_t[]>> pages_;  // by page index
};

}  // namespace iscsim::stack::scsi
