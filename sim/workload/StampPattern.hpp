#pragma once
// A disk's blocks as the IOmeter-like workload stamps them, for the target's store: a block's
// code is its write generation, and a never-written block holds its initial generation (the
// prepared test file of a read run, zeros elsewhere). The store then holds a prepared or
// stamped block as 4 bytes and generates its 512 when it is read.
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stack/scsi/BlockPattern.hpp"
#include "sim/workload/Generations.hpp"

namespace iscsim::workload {

class StampPattern final : public stack::scsi::BlockPattern {
 public:
  StampPattern(std::uint64_t disk, std::vector<Extent> prepared);

  std::uint32_t block_bytes() const override;
  std::uint32_t initial_code(std::uint64_t block) const override;
  std::optional<std::uint32_t> code_of(std::uint64_t block, const std::uint8_t* data) const override;
  void generate(std::uint64_t block, std::uint32_t code, std::uint8_t* out) const override;

 private:
  std::uint64_t disk_;
  std::vector<Extent> prepared_;
};

}  // namespace iscsim::workload
