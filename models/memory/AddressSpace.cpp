#include "models/memory/AddressSpace.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace iscsim::models {

namespace {

// Addresses start one page up, so 0 is never a valid object (it stays free to mean "none").
constexpr std::uint64_t kFirstPage = 1;

bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::uint64_t round_up(std::uint64_t v, std::uint64_t unit) { return (v + unit - 1) / unit * unit; }

std::string hex(Addr a) {
  std::ostringstream out;
  out << "0x" << std::hex << a;
  return out.str();
}

}  // namespace

AddressSpace::AddressSpace(std::uint32_t line_bytes, std::uint32_t page_bytes)
    : line_bytes_(line_bytes), page_bytes_(page_bytes) {
  if (!power_of_two(line_bytes) || !power_of_two(page_bytes) || page_bytes < line_bytes)
    throw std::invalid_argument("AddressSpace: line_bytes " + std::to_string(line_bytes) + " and page_bytes " +
                                std::to_string(page_bytes) + " must be powers of two with line <= page");
  next_ = kFirstPage * page_bytes_;
}

SlabCache& AddressSpace::cache(const std::string& name, std::uint32_t object_bytes) {
  auto it = caches_.find(name);
  if (it != caches_.end()) {
    if (it->second->requested_bytes_ != object_bytes)
      throw std::logic_error("AddressSpace: slab cache '" + name + "' exists with " +
                             std::to_string(it->second->requested_bytes_) + " B objects, asked again for " +
                             std::to_string(object_bytes) + " B");
    return *it->second;
  }
  if (object_bytes == 0) throw std::invalid_argument("AddressSpace: slab cache '" + name + "' needs a positive object size");
  const auto rounded = static_cast<std::uint32_t>(round_up(object_bytes, line_bytes_));
  // The constructor is private to keep caches owned here, so make_unique cannot reach it.
  std::unique_ptr<SlabCache> created(new SlabCache(*this, name, object_bytes, rounded));
  return *caches_.emplace(name, std::move(created)).first->second;
}

Addr AddressSpace::region(std::uint64_t bytes) {
  if (bytes == 0) throw std::invalid_argument("AddressSpace: region of 0 bytes");
  return grab_pages(round_up(bytes, page_bytes_) / page_bytes_);
}

Addr AddressSpace::grab_pages(std::uint64_t pages) {
  const Addr base = next_;
  if (pages > (std::numeric_limits<Addr>::max() - next_) / page_bytes_)
    throw std::length_error("AddressSpace: out of synthetic addresses");
  next_ += pages * page_bytes_;
  return base;
}

Addr SlabCache::alloc() {
  ++live_;
  if (!free_.empty()) {
    // Most recently freed first: its lines are the likeliest still to be in a cache.
    const Addr object = free_.back();
    free_.pop_back();
    allocated_[index_of(object)] = true;
    return object;
  }
  const std::uint64_t carved = allocated_.size();
  if (slabs_.empty() || slabs_.back().base + (carved - slabs_.back().first + 1) * object_bytes_ > slabs_.back().end) {
    // A new slab: the fewest whole pages that hold at least one object, packed with as many as fit.
    const std::uint64_t page = space_->page_bytes();
    const std::uint64_t pages = round_up(object_bytes_, page) / page;
    const Addr base = space_->grab_pages(pages);
    slabs_.push_back(Slab{base, base + pages * page, carved});
    pages_ += pages;
  }
  const Slab& slab = slabs_.back();
  allocated_.push_back(true);
  return slab.base + (carved - slab.first) * object_bytes_;
}

std::uint64_t SlabCache::index_of(Addr object) const {
  // The last slab starting at or below `object`; slabs are in address order.
  auto it = std::upper_bound(slabs_.begin(), slabs_.end(), object,
                             [](Addr a, const Slab& s) { return a < s.base; });
  if (it != slabs_.begin()) {
    const Slab& slab = *std::prev(it);
    const std::uint64_t offset = object - slab.base;
    const std::uint64_t index = slab.first + offset / object_bytes_;
    if (offset + object_bytes_ <= slab.end - slab.base && offset % object_bytes_ == 0 && index < allocated_.size())
      return index;
  }
  throw std::logic_error("SlabCache '" + name_ + "': " + hex(object) + " is not an object of this cache");
}

void SlabCache::free(Addr object) {
  const std::uint64_t index = index_of(object);
  if (!allocated_[index]) throw std::logic_error("SlabCache '" + name_ + "': double free of " + hex(object));
  allocated_[index] = false;
  free_.push_back(object);
  --live_;
}

}  // namespace iscsim::models
