#pragma once
// A one-way producer/consumer ring in cache-coherent shared memory (paper section 3: work,
// event and doorbell queues): one CPU only produces, another only consumes, so no lock is
// taken. Entries live in slots of one line each; the producer and consumer indexes each sit in
// their own 128-byte sector. What each side touches is returned as cache touches, so the lines
// that move between CPUs come out of the coherent cache model.
#include <cstdint>
#include <deque>
#include <utility>

#include "models/cpu/CpuCostModel.hpp"
#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::amp {

struct RingGeometry {
  std::uint32_t slot_bytes = 0;
  std::uint32_t index_bytes = 0;
  std::uint32_t slots = 0;
};

template <class Entry>
class SharedRing {
 public:
  SharedRing(models::AddressSpace& memory, const RingGeometry& g)
      : g_(g),
        slots_(memory.region(std::uint64_t{g.slots} * g.slot_bytes)),
        producer_index_(memory.region(g.index_bytes)),
        consumer_index_(memory.region(g.index_bytes)) {}

  // The producer writes the next slot and its index (it reads the consumer's index to see room).
  struct Produced {
    models::Touch slot, index, peer_index;
  };
  Produced push(Entry e) {
    const models::Addr at = slot_addr(produced_++);
    entries_.push_back(std::move(e));
    return {{at, g_.slot_bytes, true}, {producer_index_, sizeof(std::uint64_t), true},
            {consumer_index_, sizeof(std::uint64_t), false}};
  }
  // The consumer reads the producer's index, then the slot, and advances its own index.
  struct Consumed {
    Entry entry;
    models::Touch slot, index, peer_index;
  };
  Consumed pop() {
    const models::Addr at = slot_addr(consumed_++);
    Consumed c{std::move(entries_.front()), {at, g_.slot_bytes, false}, {consumer_index_, sizeof(std::uint64_t), true},
               {producer_index_, sizeof(std::uint64_t), false}};
    entries_.pop_front();
    return c;
  }
  // What a poll of an empty ring reads: the producer's index line only.
  models::Touch poll() const { return {producer_index_, sizeof(std::uint64_t), false}; }

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::uint64_t produced() const { return produced_; }

 private:
  models::Addr slot_addr(std::uint64_t n) const { return slots_ + (n % g_.slots) * g_.slot_bytes; }

  RingGeometry g_;
  models::Addr slots_;
  models::Addr producer_index_;
  models::Addr consumer_index_;
  std::deque<Entry> entries_;
  std::uint64_t produced_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace iscsim::host::amp
