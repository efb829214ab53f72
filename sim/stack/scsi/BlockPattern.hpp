#pragma once
// The content rule a SparseStore is given: what a never-written block holds, and a small code
// that regenerates a written block exactly when the rule can produce its bytes, so a store keeps
// such a block as its code instead of its bytes. A workload injects its stamp rule here; the
// default rule is all zeros.
#include <cstdint>
#include <optional>

namespace iscsim::stack::scsi {

class BlockPattern {
 public:
  virtual ~BlockPattern() = default;

  // The rule's block size; block `b` is the bytes [b * block_bytes(), (b + 1) * block_bytes()).
  virtual std::uint32_t block_bytes() const = 0;
  // The code of block `b` before anything was written to it.
  virtual std::uint32_t initial_code(std::uint64_t block) const = 0;
  // The code that generates exactly `data` as block `b`, if the rule has one.
  virtual std::optional<std::uint32_t> code_of(std::uint64_t block, const std::uint8_t* data) const = 0;
  // Writes block `b` as the rule generates it under `code` (block_bytes() bytes).
  virtual void generate(std::uint64_t block, std::uint32_t code, std::uint8_t* out) const = 0;
};

// Every block is zeros (code 0): a disk nobody prepared.
class ZeroPattern final : public BlockPattern {
 public:
  static constexpr std::uint32_t kBlockBytes = 512;  // SBC's smallest logical block
  std::uint32_t block_bytes() const override { return kBlockBytes; }
  std::uint32_t initial_code(std::uint64_t) const override { return 0; }
  std::optional<std::uint32_t> code_of(std::uint64_t block, const std::uint8_t* data) const override;
  void generate(std::uint64_t block, std::uint32_t code, std::uint8_t* out) const override;
};

}  // namespace iscsim::stack::scsi
