#include "sim/stack/tcp/Reassembly.hpp"

#include <algorithm>

namespace iscsim::stack::tcp {

std::size_t Reassembly::insert(std::uint64_t offset, const std::uint8_t* data, std::size_t len) {
  std::uint64_t pos = offset;
  const std::uint64_t stop = offset + len;
  std::size_t stored = 0;
  // Start from the piece that may cover `pos`.
  auto it = pieces_.upper_bound(pos);
  if (it != pieces_.begin()) {
    auto prev = std::prev(it);
    pos = std::max(pos, prev->first + prev->second.size());
  }
  while (pos < stop) {
    const std::uint64_t gap_end = (it == pieces_.end()) ? stop : std::min(stop, it->first);
    if (pos < gap_end) {
      const auto* from = data + (pos - offset);
      pieces_.emplace_hint(it, pos, std::vector<std::uint8_t>(from, from + (gap_end - pos)));
      stored += gap_end - pos;
    }
    if (it == pieces_.end()) break;
    pos = std::max(pos, it->first + it->second.size());
    ++it;
  }
  bytes_ += stored;
  return stored;
}

std::vector<std::uint8_t> Reassembly::take_from(std::uint64_t next) {
  std::vector<std::uint8_t> out;
  auto it = pieces_.begin();
  while (it != pieces_.end() && it->first <= next + out.size()) {
    const std::uint64_t at = next + out.size();
    const std::uint64_t piece_end = it->first + it->second.size();
    if (piece_end > at) out.insert(out.end(), it->second.begin() + static_cast<std::ptrdiff_t>(at - it->first), it->second.end());
    bytes_ -= it->second.size();
    it = pieces_.erase(it);
  }
  return out;
}

std::uint64_t Reassembly::end() const {
  if (pieces_.empty()) return 0;
  const auto& last = *pieces_.rbegin();
  return last.first + last.second.size();
}

}  // namespace iscsim::stack::tcp
