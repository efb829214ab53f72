#include "sim/world/FaultInjector.hpp"

#include <algorithm>

namespace iscsim::world {

namespace {
constexpr int kByteValues = 256;
}

FaultInjector::FaultInjector(const scenario::LinkSpec& spec, std::uint64_t seed)
    : spec_(spec),
      active_(spec.loss_rate > 0 || spec.corrupt_rate > 0 || spec.reorder_rate > 0 || spec.duplicate_rate > 0 ||
              spec.silent_corrupt_rate > 0),
      rng_(seed) {}

bool FaultInjector::draw(double rate) {
  // Always consume a draw so one rate's setting never shifts another's sequence.
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  return u < rate;
}

Deliveries FaultInjector::decide() {
  Deliveries out;
  if (!active_) {
    out.add(Delivery{});
    return out;
  }
  const bool lose = draw(spec_.loss_rate);
  const bool corrupt = draw(spec_.corrupt_rate);
  const bool reorder = draw(spec_.reorder_rate);
  const bool duplicate = draw(spec_.duplicate_rate);
  const bool silent = draw(spec_.silent_corrupt_rate);
  if (lose) {
    ++counters_.lost;
    return out;
  }
  Delivery d;
  if (corrupt) {
    d.corrupt = true;
    ++counters_.corrupted;
  }
  if (silent && !corrupt) {
    d.silent = true;
    ++counters_.silently_corrupted;
  }
  if (reorder) {
    d.extra_delay = models::picos_from_micros(spec_.reorder_delay_us);
    ++counters_.reordered;
  }
  out.add(d);
  if (duplicate) {
    ++counters_.duplicated;
    out.add(Delivery{d.extra_delay, false});
  }
  return out;
}

void FaultInjector::corrupt(std::vector<std::uint8_t>& frame, std::size_t first_byte, std::size_t end_byte) {
  end_byte = std::min(end_byte, frame.size());
  if (end_byte <= first_byte) return;
  const std::size_t at = std::uniform_int_distribution<std::size_t>(first_byte, end_byte - 1)(rng_);
  const int flip = std::uniform_int_distribution<int>(1, kByteValues - 1)(rng_);
  frame[at] = static_cast<std::uint8_t>(frame[at] ^ flip);
}

}  // namespace iscsim::world
