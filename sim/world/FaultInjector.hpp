#pragma once
// Faults on one direction of a link, drawn from the run's seed: loss, corruption (one byte of
// the IP packet flipped, for the IP/TCP checksums to catch), reordering (a frame held back) and
// duplication; and silent corruption (payload damaged past the checksums, which only an iSCSI
// digest catches). Each decision uses its own draw, so changing one rate leaves the others' pattern.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "models/common/Time.hpp"
#include "sim/scenario/Scenario.hpp"

namespace iscsim::world {

struct FaultCounters {
  std::uint64_t lost = 0;
  std::uint64_t corrupted = 0;
  std::uint64_t reordered = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t silently_corrupted = 0;
};

// One copy of a frame that reaches the far end.
struct Delivery {
  models::Picos extra_delay = 0;
  bool corrupt = false;
  bool silent = false;  // damage the TCP payload and recompute the checksums: only digests can tell
};

// The copies of one frame that arrive: none (lost), the frame, or the frame and its duplicate.
class Deliveries {
 public:
  void add(const Delivery& d) { copies_[count_++] = d; }
  std::size_t size() const { return count_; }
  const Delivery& operator[](std::size_t i) const { return copies_[i]; }

 private:
  static constexpr std::size_t kMaxCopies = 2;
  std::array<Delivery, kMaxCopies> copies_{};
  std::size_t count_ = 0;
};

class FaultInjector {
 public:
  FaultInjector(const scenario::LinkSpec& spec, std::uint64_t seed);
  // The copies of one frame that arrive (none if lost).
  Deliveries decide();
  // Flips one byte in [first_byte, end_byte) (the IP packet, not the padding), to another value.
  void corrupt(std::vector<std::uint8_t>& frame, std::size_t first_byte, std::size_t end_byte);
  const FaultCounters& counters() const { return counters_; }
  bool active() const { return active_; }

 private:
  bool draw(double rate);
  scenario::LinkSpec spec_;
  bool active_;
  std::mt19937_64 rng_;
  FaultCounters counters_;
};

}  // namespace iscsim::world
