#include "sim/stack/scsi/BlockPattern.hpp"

#include <algorithm>
#include <cstring>

namespace iscsim::stack::scsi {

std::optional<std::uint32_t> ZeroPattern::code_of(std::uint64_t, const std::uint8_t* data) const {
  if (std::all_of(data, data + kBlockBytes, [](std::uint8_t b) { return b == 0; })) return 0u;
  return std::nullopt;
}

void ZeroPattern::generate(std::uint64_t, std::uint32_t, std::uint8_t* out) const { std::memset(out, 0, kBlockBytes); }

}  // namespace iscsim::stack::scsi
