#pragma once
// CRC32C (Castagnoli), the iSCSI header and data digest (RFC 7143 section 13.1, RFC 3385).
#include <cstddef>
#include <cstdint>

namespace iscsim::stack::iscsi {

std::uint32_t crc32c(const std::uint8_t* data, std::size_t len);

}  // namespace iscsim::stack::iscsi
