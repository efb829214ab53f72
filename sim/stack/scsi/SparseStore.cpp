#include "sim/stack/scsi/SparseStore.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace iscsim::stack::scsi {

SparseStore::SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes)
    : capacity_(capacity_bytes), page_bytes_(page_bytes), pages_((capacity_bytes + page_bytes - 1) / page_bytes) {}

void SparseStore::read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
  assert(offset + len <= capacity_);
  while (len > 0) {
    const std::uint64_t page = offset / page_bytes_;
    const std::size_t in_page = offset % page_bytes_;
    const std::size_t n = std::min<std::size_t>(len, page_bytes_ - in_page);
    if (pages_[page])
      std::memcpy(out, pages_[page].get() + in_page, n);
    else
      std::memset(out, 0, n);
    out += n;
    offset += n;
    len -= n;
  }
}

void SparseStore::write(std::uint64_t offset, const std::uint8_t* in, std::size_t len) {
  assert(offset + len <= capacity_);
  while (len > 0) {
    const std::uint64_t page = offset / page_bytes_;
    const std::size_t in_page = offset % page_bytes_;
    const std::size_t n = std::min<std::size_t>(len, page_bytes_ - in_page);
    if (!pages_[page]) {
      pages_[page] = std::make_unique<std::uint8_t[]>(page_bytes_);  // value-initialized: zeros
      ++resident_;
    }
    std::memcpy(pages_[page].get() + in_page, in, n);
    in += n;
    offset += n;
    len -= n;
  }
}

}  // namespace iscsim::stack::scsi
