#pragma once
// Synthetic physical addresses for the objects a simulated kernel allocates, handed out the way
// Linux's slab allocator does (per-type caches, most recently freed object reused first, objects
// aligned to cache lines), so cache reuse in the model follows the kernel's reuse of memory.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/cache/CoherentCaches.hpp"
#include "models/memory/PageMap.hpp"

namespace iscsim::models {

class AddressSpace;

// One kmem_cache: objects of one size. Freed objects go on a LIFO free list (hot first).
class SlabCache {
 public:
  Addr alloc();
  void free(Addr object);
  std::uint32_t object_bytes() const { return object_bytes_; }
  std::uint64_t live() const { return live_; }
  std::uint64_t pages() const { return pages_; }
  // The line of the slab descriptor (2.4's slab_t and its bufctl array) of the slab holding
  // `object`: what freeing it to, or taking it from, this cache writes.
  Addr descriptor_of(Addr object) const;
  // The cache's own line (kmem_cache_t: its spin lock and slab lists).
  Addr control() const { return control_; }

 private:
  friend class AddressSpace;
  // One run of pages carved into objects; `first` numbers its first object within the cache.
  struct Slab {
    Addr base;
    Addr end;
    std::uint64_t first;
    Addr descriptor;
  };
  // A freed object and its number, so reusing it needs no lookup.
  struct Freed {
    Addr object;
    std::uint64_t index;
  };
  SlabCache(AddressSpace& space, std::string name, std::uint32_t requested_bytes, std::uint32_t object_bytes);
  // The number of the object at `object`, or throws if it is not one this cache carved.
  std::uint64_t index_of(Addr object) const;
  const Slab& slab_of(Addr object) const;
  // The next descriptor line: descriptors are packed a page at a time, so they spread over the
  // cache's sets as 2.4's slab colouring spreads them, rather than all sitting at page offset 0.
  Addr next_descriptor();
  AddressSpace* space_;
  std::string name_;
  std::uint32_t requested_bytes_;  // as first asked for, so a later cache(name, size) can be checked
  std::uint32_t object_bytes_;  // rounded up to whole cache lines (SLAB_HWCACHE_ALIGN)
  std::uint32_t page_shift_;    // log2(page_bytes)
  std::vector<Freed> free_;      // LIFO
  std::vector<Slab> slabs_;      // in address order: pages are handed out upwards
  PageMap slab_of_page_;         // page -> 1 + its slab's position in slabs_
  std::vector<bool> allocated_;  // per carved object, to catch a double free
  std::uint64_t live_ = 0;
  std::uint64_t pages_ = 0;
  Addr control_ = 0;
  Addr descriptors_next_ = 0;
  Addr descriptors_end_ = 0;
};

class AddressSpace {
 public:
  // `line_bytes` aligns slab objects; `page_bytes` is the unit slabs grow by; `text_layout`
  // picks the placement of code (text()): 0 the default, another number another by the same rule.
  AddressSpace(std::uint32_t line_bytes, std::uint32_t page_bytes, std::uint64_t text_layout = 0);
  AddressSpace(const AddressSpace&) = delete;
  AddressSpace& operator=(const AddressSpace&) = delete;

  // The cache named `name` (created on first use); a second call must give the same size.
  SlabCache& cache(const std::string& name, std::uint32_t object_bytes);
  // A fixed region never freed (descriptor rings, user buffers): page-aligned, distinct.
  Addr region(std::uint64_t bytes);
  // The code of the routine named `name`: page-aligned pages in an arena of its own, chosen from
  // the name (and the text layout), so adding or resizing one routine moves neither the others'
  // code nor any data. A second call gives the same code and must ask for as many pages.
  Addr text(const std::string& name, std::uint64_t bytes);
  std::uint32_t line_bytes() const { return line_bytes_; }
  std::uint32_t page_bytes() const { return page_bytes_; }

 private:
  friend class SlabCache;
  Addr grab_pages(std::uint64_t pages);
  std::uint32_t line_bytes_;
  std::uint32_t page_bytes_;
  Addr next_ = 0;
  std::uint64_t text_layout_;
  std::unordered_map<std::string, std::unique_ptr<SlabCache>> caches_;
  std::vector<bool> text_taken_;  // per page of the text arena
  struct Text {
    Addr base;
    std::uint64_t pages;
  };
  std::unordered_map<std::string, Text> text_;
};

}  // namespace iscsim::models
