#pragma once
// A SCSI target device: its logical units by number, REPORT LUNS, and the answers SAM-5 and
// SPC-4 give for a LUN that does not exist.
#include <cstdint>
#include <map>

#include "sim/stack/scsi/Lun.hpp"

namespace iscsim::stack::scsi {

class ScsiTarget {
 public:
  // Adds LUN `number`, replacing one already there.
  void add_lun(std::uint64_t number, Lun lun);

  static Command parse(const std::uint8_t* cdb, std::size_t cdb_len) { return parse_cdb(cdb, cdb_len); }
  ScsiResult execute(std::uint64_t lun, const Command& cmd, const std::uint8_t* data_out, std::size_t data_out_len);
  ScsiResult execute(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                     std::size_t data_out_len);
  // Bytes of data-out the command carries (see Lun::expected_data_out); 0 for an absent LUN.
  std::uint32_t expected_data_out(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len) const;
  // Hands a command's data-in buffer back to its LUN for later reads (see Lun::recycle).
  void recycle(std::uint64_t lun, std::vector<std::uint8_t>&& buffer);

  // Throws std::out_of_range for an absent LUN. A workload preloads data through lun(n).store().
  Lun& lun(std::uint64_t number) { return luns_.at(number); }
  const Lun& lun(std::uint64_t number) const { return luns_.at(number); }
  bool has_lun(std::uint64_t number) const { return luns_.count(number) != 0; }
  std::size_t lun_count() const { return luns_.size(); }

 private:
  ScsiResult report_luns(const Command& c) const;
  std::map<std::uint64_t, Lun> luns_;
};

// The largest LUN number lun_field can encode (flat space addressing, 14 bits).
inline constexpr std::uint64_t kMaxLunNumber = 0x3FFF;
// What lun_number gives for a LUN field it cannot decode: matches no LUN.
inline constexpr std::uint64_t kInvalidLunNumber = ~std::uint64_t{0};

// The 8-byte LUN field (iSCSI PDUs, REPORT LUNS) for LUN `n` <= kMaxLunNumber, single level
// (SAM-5 4.7): peripheral device addressing below 256, flat space addressing above.
std::uint64_t lun_field(std::uint64_t n);
std::uint64_t lun_number(std::uint64_t field);

}  // namespace iscsim::stack::scsi
