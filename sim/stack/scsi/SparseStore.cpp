#include "sim/stack/scsi/SparseStore.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace iscsim::stack::scsi {

SparseStore::SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes)
    : capacity_(capacity_bytes), page_bytes_(page_bytes) {
  assert(page_bytes > 0);
}

// Both loops take one hash lookup and one memcpy or memset per page the span touches.
void SparseStore::read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
  assert(offset <= capacity_ && len <= capacity_ - offset);
  while (len > 0) {
    const std::uint64_t page = offset / page_bytes_;
    const std::size_t in_page = static_cast<std::size_t>(offset % page_bytes_);
    const std::size_t n = std::min<std::size_t>(len, page_bytes_ - in_page);
    const auto it = pages_.find(page);
    if (it != pages_.end())
      std::memcpy(out, it->second.get() + in_page, n);
    else
      std::memset(out, 0, n);
    out += n;
    offset += n;
    len -= n;
  }
}

void SparseStore::write(std::uint64_t offset, const std::uint8_t* in, std::size_t len) {
  assert(offset <= capacity_ && len <= capacity_ - offset);
  while (len > 0) {
    const std::uint64_t page = offset / page_bytes_;
    const std::size_t in_page = static_cast<std::size_t>(offset % page_bytes_);
    const std::size_t n = std::min<std::size_t>(len, page_bytes_ - in_page);
    const auto it = pages_.find(page);
    std::uint8_t* bytes = it != pages_.end() ? it->second.get() : allocate(page, in_page, in_page + n);
    std::memcpy(bytes + in_page, in, n);
    in += n;
    offset += n;
    len -= n;
  }
}

// A new page is zeroed only outside [keep_from, keep_to), the span about to be written, so a
// sequential fill of whole pages never touches a byte twice.
std::uint8_t* SparseStore::allocate(std::uint64_t page, std::size_t keep_from, std::size_t keep_to) {
  std::unique_ptr<std::uint8_t[]>& slot = pages_[page];
  slot.reset(new std::uint8_t[page_bytes_]);  // default-initialized: not zeroed
  std::uint8_t* bytes = slot.get();
  std::memset(bytes, 0, keep_from);
  std::memset(bytes + keep_to, 0, page_bytes_ - keep_to);
  return bytes;
}

}  // namespace iscsim::stack::scsi
