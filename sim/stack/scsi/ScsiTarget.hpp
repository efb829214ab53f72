#pragma once
// A SCSI target device: its logical units by number, REPORT LUNS, and the answers SPC-4 gives
// for a LUN that does not exist.
#include <cstdint>
#include <map>

#include "sim/stack/scsi/Lun.hpp"

namespace iscsim::stack::scsi {

class ScsiTarget {
 public:
  void add_lun(std::uint64_t number, Lun lun);
  ScsiResult execute(std::uint64_t lun, const std::uint8_t* cdb, std::size_t cdb_len, const std::uint8_t* data_out,
                     std::size_t data_out_len);
  Lun& lun(std::uint64_t number) { return luns_.at(number); }
  bool has_lun(std::uint64_t number) const { return luns_.count(number) != 0; }

 private:
  ScsiResult report_luns(const Command& c) const;
  std::map<std::uint64_t, Lun> luns_;
};

// The 8-byte LUN field of an iSCSI PDU for LUN `n` (SAM-5 single-level, peripheral addressing).
std::uint64_t lun_field(std::uint64_t n);
std::uint64_t lun_number(std::uint64_t field);

}  // namespace iscsim::stack::scsi
