#include "sim/workload/StampPattern.hpp"

#include "sim/workload/BlockStamp.hpp"

namespace iscsim::workload {

StampPattern::StampPattern(std::uint64_t disk, std::vector<Extent> prepared)
    : disk_(disk), prepared_(std::move(prepared)) {}

std::uint32_t StampPattern::block_bytes() const { return kStampBlockBytes; }

std::uint32_t StampPattern::initial_code(std::uint64_t block) const { return initial_generation(prepared_, block); }

std::optional<std::uint32_t> StampPattern::code_of(std::uint64_t block, const std::uint8_t* data) const {
  return stamped_generation(disk_, block, data);
}

void StampPattern::generate(std::uint64_t block, std::uint32_t code, std::uint8_t* out) const {
  stamp_block(StampKey{disk_, block, code}, out);
}

}  // namespace iscsim::workload
