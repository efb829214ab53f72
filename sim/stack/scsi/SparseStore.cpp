#include "sim/stack/scsi/SparseStore.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace iscsim::stack::scsi {

namespace {

std::uint32_t checked_block_bytes(const BlockPattern& pattern, std::uint32_t page_bytes) {
  const std::uint32_t block = pattern.block_bytes();
  if (block == 0 || page_bytes == 0 || page_bytes % block != 0)
    throw std::invalid_argument("SparseStore: page_bytes " + std::to_string(page_bytes) +
                                " must be a positive multiple of the pattern's block of " + std::to_string(block) +
                                " bytes");
  return block;
}

}  // namespace

SparseStore::SparseStore(std::uint64_t capacity_bytes, std::uint32_t page_bytes)
    : capacity_(capacity_bytes), page_bytes_(page_bytes), pattern_(std::make_shared<ZeroPattern>()) {
  block_bytes_ = checked_block_bytes(*pattern_, page_bytes_);
}

void SparseStore::set_pattern(std::shared_ptr<const BlockPattern> pattern) {
  const std::uint32_t block = checked_block_bytes(*pattern, page_bytes_);
  // Codes mean something only under the pattern that gave them.
  for (auto& [index, page] : pages_)
    if (!page.bytes) materialize(index, page);
  pattern_ = std::move(pattern);
  block_bytes_ = block;
}

std::size_t SparseStore::raw_pages() const {
  return static_cast<std::size_t>(
      std::count_if(pages_.begin(), pages_.end(), [](const auto& p) { return p.second.bytes != nullptr; }));
}

bool SparseStore::encode(std::uint64_t page, std::size_t in_page, const std::uint8_t* in, std::size_t n,
                         std::uint32_t* codes) const {
  if (in_page % block_bytes_ != 0 || n % block_bytes_ != 0) return false;
  const std::uint64_t first = (page * page_bytes_ + in_page) / block_bytes_;
  const std::size_t local = in_page / block_bytes_;
  for (std::size_t b = 0; b < n / block_bytes_; ++b) {
    const auto code = pattern_->code_of(first + b, in + b * block_bytes_);
    if (!code) return false;
    codes[local + b] = *code;
  }
  return true;
}

void SparseStore::generate(std::uint64_t page, const std::uint32_t* codes, std::size_t in_page, std::uint8_t* out,
                           std::size_t n) const {
  const std::uint64_t page_first = page * page_bytes_ / block_bytes_;
  std::vector<std::uint8_t> partial;  // a block the span covers only in part
  std::size_t at = in_page;
  const std::size_t end = in_page + n;
  while (at < end) {
    const std::size_t local = at / block_bytes_;
    const std::size_t block_start = local * block_bytes_;
    const std::size_t from = at - block_start;
    const std::size_t len = std::min<std::size_t>(block_bytes_ - from, end - at);
    const std::uint32_t code = codes ? codes[local] : pattern_->initial_code(page_first + local);
    if (len == block_bytes_) {
      pattern_->generate(page_first + local, code, out);
    } else {
      partial.resize(block_bytes_);
      pattern_->generate(page_first + local, code, partial.data());
      std::memcpy(out, partial.data() + from, len);
    }
    out += len;
    at += len;
  }
}

void SparseStore::materialize(std::uint64_t page, Page& p) const {
  auto bytes = std::make_unique<std::uint8_t[]>(page_bytes_);
  generate(page, p.codes.get(), 0, bytes.get(), page_bytes_);
  p.bytes = std::move(bytes);
  p.codes.reset();
}

// Both loops take one hash lookup per page the span touches.
void SparseStore::read(std::uint64_t offset, std::uint8_t* out, std::size_t len) const {
  assert(offset <= capacity_ && len <= capacity_ - offset);
  while (len > 0) {
    const std::uint64_t page = offset / page_bytes_;
    const std::size_t in_page = static_cast<std::size_t>(offset % page_bytes_);
    const std::size_t n = std::min<std::size_t>(len, page_bytes_ - in_page);
    const auto it = pages_.find(page);
    if (it != pages_.end() && it->second.bytes)
      std::memcpy(out, it->second.bytes.get() + in_page, n);
    else
      generate(page, it != pages_.end() ? it->second.codes.get() : nullptr, in_page, out, n);
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
    auto [it, fresh] = pages_.try_emplace(page);
    Page& p = it->second;
    if (fresh) {
      p.codes = std::make_unique<std::uint32_t[]>(blocks_per_page());
      const std::uint64_t first = page * page_bytes_ / block_bytes_;
      for (std::uint32_t b = 0; b < blocks_per_page(); ++b) p.codes[b] = pattern_->initial_code(first + b);
    }
    // A span that fails to encode is overwritten as bytes whatever codes it was given.
    if (!p.bytes && !encode(page, in_page, in, n, p.codes.get())) materialize(page, p);
    if (p.bytes) std::memcpy(p.bytes.get() + in_page, in, n);
    in += n;
    offset += n;
    len -= n;
  }
}

}  // namespace iscsim::stack::scsi
