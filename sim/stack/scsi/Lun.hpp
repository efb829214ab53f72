#pragma once
// A RAM-disk logical unit (SBC-3 direct-access block device): executes the commands initiators
// send to a disk on the bytes of a SparseStore, with SPC-4 sense data for what it refuses.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/stack/scsi/Cdb.hpp"
#include "sim/stack/scsi/Sense.hpp"
#include "sim/stack/scsi/SparseStore.hpp"

namespace iscsim::stack::scsi {

struct LunIdentity {
  std::string vendor = "ISCSIM";    // 8 ASCII bytes in INQUIRY, space padded
  std::string product = "RAMDISK";  // 16
  std::string revision = "0001";    // 4
  std::string serial = "00000000";
  std::uint64_t naa = 0x6001405000000000ull;  // NAA 6 (IEEE registered extended) identifier
};

class Lun {
 public:
  Lun(const LunIdentity& identity, std::uint64_t capacity_bytes, std::uint32_t block_bytes = 512);

  ScsiResult execute(const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                     std::size_t data_out_len);

  std::uint64_t blocks() const { return blocks_; }
  std::uint32_t block_bytes() const { return block_bytes_; }
  SparseStore& store() { return store_; }
  const LunIdentity& identity() const { return id_; }

 private:
  ScsiResult inquiry(const Command& c) const;
  ScsiResult vpd_page(std::uint8_t page) const;
  ScsiResult mode_sense(const Command& c, const std::uint8_t* cdb) const;
  ScsiResult read_capacity(bool sixteen) const;
  ScsiResult read_write(const Command& c, const std::uint8_t* data_out, std::size_t data_out_len);
  ScsiResult fail(const SenseData& s);

  LunIdentity id_;
  std::uint32_t block_bytes_;
  std::uint64_t blocks_;
  SparseStore store_;
  std::optional<SenseData> last_sense_;  // for REQUEST SENSE
};

// Data-in never exceeds the allocation length the CDB gave.
void truncate_to(ScsiResult& r, std::uint32_t allocation_length);
// ASCII field of `width` bytes, space padded (SPC-4 section 4.4.1).
void put_ascii(std::vector<std::uint8_t>& out, std::size_t at, const std::string& s, std::size_t width);

}  // namespace iscsim::stack::scsi
