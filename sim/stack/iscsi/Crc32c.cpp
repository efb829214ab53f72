#include "sim/stack/iscsi/Crc32c.hpp"

#include <boost/crc.hpp>

namespace iscsim::stack::iscsi {

namespace {
// Castagnoli polynomial, reflected in and out, all-ones init and final xor (RFC 3385).
using Crc32cEngine = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;
}  // namespace

std::uint32_t crc32c(const std::uint8_t* data, std::size_t len) {
  Crc32cEngine crc;
  crc.process_bytes(data, len);
  return crc.checksum();
}

}  // namespace iscsim::stack::iscsi
