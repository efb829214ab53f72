#pragma once
// Network byte order: every protocol header here (Ethernet, IPv4, TCP, iSCSI, SCSI CDBs) stores
// its multi-byte fields most significant byte first.
#include <cstddef>
#include <cstdint>

namespace iscsim::stack {

inline constexpr unsigned kBitsPerByte = 8;

inline std::uint64_t load_be(const std::uint8_t* p, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = v << kBitsPerByte | p[i];
  return v;
}

inline void store_be(std::uint8_t* p, std::uint64_t v, std::size_t bytes) {
  for (std::size_t i = bytes; i-- > 0;) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= kBitsPerByte;
  }
}

}  // namespace iscsim::stack
