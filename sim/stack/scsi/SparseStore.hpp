#pragma once
// The bytes of a RAM disk: fixed capacity, pages allocated on first write, never-written bytes
// read as zeros, so a large LUN costs memory only where it was written.
#include <cstdint>
#include <memory>
#include <vector>

namespace iscsim::stack::scsi {

class SparseStore {
 public:
  static constexpr std::uint32_t kDefaultPageBytes = 1 << 16;

  explicit SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes = kDefaultPageBytes);

  void read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const;
  void write(std::uint64_t offset, const std::uint8_t* in, std::size_t len);
  std::uint64_t capacity() const { return capacity_; }
  std::size_t resident_pages() const { return resident_; }

 private:
  std::uint64_t capacity_;
  std::uint32_t page_bytes_;
  std::vector<std::unique_ptr<std::uint8_t[]>> pages_;
  std::size_t resident_ = 0;
};

}  // namespace iscsim::stack::scsi
