#pragma once
// A RAM-disk logical unit (SBC-3 direct-access block device): executes the commands initiators
// send to a disk on the bytes of a SparseStore, with SPC-4 sense data for what it refuses.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/stack/scsi/Cdb.hpp"
#include "sim/stack/scsi/Sense.hpp"
#include "sim/stack/scsi/SparseStore.hpp"

namespace iscsim::stack::scsi {

inline constexpr std::uint32_t kDefaultBlockBytes = 512;
// The largest READ or WRITE a LUN accepts (and advertises in the block limits VPD page); matches
// the 32 MiB an iSCSI target session accepts by default.
inline constexpr std::uint32_t kMaxTransferBytes = 32u << 20;

// What INQUIRY says the logical unit is.
struct LunIdentity {
  std::string vendor = "ISCSIM";    // T10 vendor identification: 8 ASCII bytes, space padded
  std::string product = "RAMDISK";  // 16
  std::string revision = "0001";    // 4
  std::string serial = "00000000";  // unit serial number VPD page
  // The whole 8-byte NAA designator; NAA 3 (locally assigned) in the top nibble, the rest free.
  std::uint64_t naa = 0x3000000000000000ull;
};

class Lun {
 public:
  // `capacity_bytes` is rounded down to whole blocks; at least one block.
  Lun(const LunIdentity& identity, std::uint64_t capacity_bytes, std::uint32_t block_bytes = kDefaultBlockBytes);

  // A WRITE writes the whole blocks of data-out it was given, up to its CDB's transfer length:
  // an iSCSI initiator may announce less or more data than the CDB asks for (RFC 7143 section
  // 11.4.5.2), and the transport reports the difference as a residual (see data_out_wanted).
  ScsiResult execute(const Command& cmd, const std::uint8_t* data_out, std::size_t data_out_len);
  // Parses the CDB, then executes it.
  ScsiResult execute(const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                     std::size_t data_out_len);
  // Bytes of data-out the command carries: blocks x block size for a WRITE; 0 for other commands
  // and for a WRITE refused whatever its data (bad CDB, out of range, too long), so a transport
  // does not solicit data for it.
  std::uint32_t expected_data_out(const Command& cmd) const;
  // A READ's data-in buffer its caller is done with: a later READ fills it instead of a new one.
  void recycle(std::vector<std::uint8_t>&& buffer);

  std::uint64_t blocks() const { return blocks_; }
  std::uint32_t block_bytes() const { return block_bytes_; }
  std::uint32_t max_transfer_blocks() const { return max_transfer_blocks_; }
  SparseStore& store() { return store_; }
  const SparseStore& store() const { return store_; }
  const LunIdentity& identity() const { return id_; }

 private:
  ScsiResult dispatch(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len);
  ScsiResult request_sense(const Command& c);
  ScsiResult inquiry(const Command& c) const;
  ScsiResult vpd_page(std::uint8_t page) const;
  ScsiResult mode_sense(const Command& c) const;
  ScsiResult read_capacity(bool sixteen, std::uint32_t allocation_length) const;
  ScsiResult read_write(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len);
  std::optional<SenseData> refusal(const Command& c) const;
  bool in_range(std::uint64_t lba, std::uint32_t blocks) const;

  LunIdentity id_;
  std::uint32_t block_bytes_;
  std::uint64_t blocks_;
  std::uint32_t max_transfer_blocks_;
  SparseStore store_;
  // The sense of the last command if it ended in CHECK CONDITION, for REQUEST SENSE. Kept per
  // LUN rather than per I_T nexus: a simplification that is exact with one initiator.
  std::optional<SenseData> pending_sense_;
  std::vector<std::vector<std::uint8_t>> spare_buffers_;  // recycled, their size kept
};

// Standard INQUIRY data (SPC-4 6.6.2), 96 bytes with version descriptors; `peripheral` is byte 0
// (qualifier and type).
std::vector<std::uint8_t> standard_inquiry(std::uint8_t peripheral, const LunIdentity& id);

}  // namespace iscsim::stack::scsi
