#include "models/memory/AddressSpace.hpp"

#include <sstream>
#include <stdexcept>

#include "models/common/Geometry.hpp"

namespace iscsim::models {

namespace {

// Addresses start one page up, so 0 is never a valid object (it stays free to mean "none").
constexpr std::uint64_t kFirstPage = 1;
// The text arena: far above any data (as a kernel's text sits apart from its heap), 65,536 pages
// long so routines placed by a hash of their names seldom collide.
constexpr std::uint64_t kTextFirstPage = std::uint64_t{1} << 32;
constexpr std::uint64_t kTextPages = std::uint64_t{1} << 16;

// FNV-1a, 64 bits: a placement that depends on the name alone, the same on every platform.
std::uint64_t name_hash(const std::string& name) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t unit) { return (v + unit - 1) / unit * unit; }

std::string hex(Addr a) {
  std::ostringstream out;
  out << "0x" << std::hex << a;
  return out.str();
}

}  // namespace

AddressSpace::AddressSpace(std::uint32_t line_bytes, std::uint32_t page_bytes, std::uint64_t text_layout)
    : line_bytes_(line_bytes), page_bytes_(page_bytes), text_layout_(text_layout) {
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

Addr AddressSpace::text(const std::string& name, std::uint64_t bytes) {
  if (bytes == 0) throw std::invalid_argument("AddressSpace: code of '" + name + "' of 0 bytes");
  const std::uint64_t pages = round_up(bytes, page_bytes_) / page_bytes_;
  // One kernel's text: a routine asked for again is the same code.
  if (const auto it = text_.find(name); it != text_.end()) {
    if (it->second.pages != pages)
      throw std::logic_error("AddressSpace: code of '" + name + "' exists with " + std::to_string(it->second.pages) +
                             " pages, asked again for " + std::to_string(pages));
    return it->second.base;
  }
  if (pages > kTextPages) throw std::length_error("AddressSpace: code of '" + name + "' larger than the text arena");
  if (text_taken_.empty()) text_taken_.assign(kTextPages, false);
  // Its pages start where its name (in this layout) says; if another routine holds any of them,
  // the next start.
  const std::uint64_t starts = kTextPages - pages + 1;
  std::uint64_t first = name_hash(text_layout_ == 0 ? name : std::to_string(text_layout_) + "/" + name) % starts;
  for (std::uint64_t tried = 0;; ++tried, first = (first + 1) % starts) {
    if (tried == starts) throw std::length_error("AddressSpace: the text arena is full");
    bool free = true;
    for (std::uint64_t p = first; p < first + pages && free; ++p) free = !text_taken_[p];
    if (free) break;
  }
  for (std::uint64_t p = first; p < first + pages; ++p) text_taken_[p] = true;
  const Addr base = (kTextFirstPage + first) * page_bytes_;
  text_.emplace(name, Text{base, pages});
  return base;
}

Addr AddressSpace::grab_pages(std::uint64_t pages) {
  const Addr base = next_;
  if (pages > (kTextFirstPage * page_bytes_ - next_) / page_bytes_)
    throw std::length_error("AddressSpace: out of synthetic addresses");
  next_ += pages * page_bytes_;
  return base;
}

SlabCache::SlabCache(AddressSpace& space, std::string name, std::uint32_t requested_bytes, std::uint32_t object_bytes)
    : space_(&space),
      name_(std::move(name)),
      requested_bytes_(requested_bytes),
      object_bytes_(object_bytes),
      page_shift_(static_cast<std::uint32_t>(__builtin_ctzll(space.page_bytes()))) {
  control_ = next_descriptor();
}

Addr SlabCache::next_descriptor() {
  if (descriptors_next_ == descriptors_end_) {
    descriptors_next_ = space_->grab_pages(1);
    descriptors_end_ = descriptors_next_ + space_->page_bytes();
  }
  const Addr line = descriptors_next_;
  descriptors_next_ += space_->line_bytes();
  return line;
}

Addr SlabCache::alloc() {
  ++live_;
  if (!free_.empty()) {
    // Most recently freed first: its lines are the likeliest still to be in a cache.
    const Freed freed = free_.back();
    free_.pop_back();
    allocated_[freed.index] = true;
    return freed.object;
  }
  const std::uint64_t carved = allocated_.size();
  if (slabs_.empty() || slabs_.back().base + (carved - slabs_.back().first + 1) * object_bytes_ > slabs_.back().end) {
    // A new slab: the fewest whole pages that hold at least one object, packed with as many as fit.
    const std::uint64_t page = space_->page_bytes();
    const std::uint64_t pages = round_up(object_bytes_, page) / page;
    const Addr base = space_->grab_pages(pages);
    slabs_.push_back(Slab{base, base + pages * page, carved, next_descriptor()});
    for (std::uint64_t p = 0; p < pages; ++p)
      slab_of_page_.set((base >> page_shift_) + p, static_cast<std::uint32_t>(slabs_.size()));
    pages_ += pages;
  }
  const Slab& slab = slabs_.back();
  allocated_.push_back(true);
  return slab.base + (carved - slab.first) * object_bytes_;
}

const SlabCache::Slab& SlabCache::slab_of(Addr object) const {
  if (const std::uint32_t slab_number = slab_of_page_.get(object >> page_shift_); slab_number != 0) {
    const Slab& slab = slabs_[slab_number - 1];
    const std::uint64_t offset = object - slab.base;
    if (offset + object_bytes_ <= slab.end - slab.base && offset % object_bytes_ == 0 &&
        slab.first + offset / object_bytes_ < allocated_.size())
      return slab;
  }
  throw std::logic_error("SlabCache '" + name_ + "': " + hex(object) + " is not an object of this cache");
}

std::uint64_t SlabCache::index_of(Addr object) const {
  const Slab& slab = slab_of(object);
  return slab.first + (object - slab.base) / object_bytes_;
}

Addr SlabCache::descriptor_of(Addr object) const { return slab_of(object).descriptor; }

void SlabCache::free(Addr object) {
  const std::uint64_t index = index_of(object);
  if (!allocated_[index]) throw std::logic_error("SlabCache '" + name_ + "': double free of " + hex(object));
  allocated_[index] = false;
  free_.push_back(Freed{object, index});
  --live_;
}

}  // namespace iscsim::models
