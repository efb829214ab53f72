#pragma once
// Network byte order: every protocol header here (Ethernet, IPv4, TCP, iSCSI, SCSI CDBs) stores
// its multi-byte fields most significant byte first. The width is a template argument so the
// loops unroll on the per-frame paths.
#include <cstddef>
#include <cstdint>

namespace iscsim::stack {

inline constexpr unsigned kBitsPerByte = 8;
inline constexpr unsigned kByteMask = 0xFF;

template <std::size_t Bytes>
inline std::uint64_t load_be(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < Bytes; ++i) v = v << kBitsPerByte | p[i];
  return v;
}

template <std::size_t Bytes>
inline void store_be(std::uint8_t* p, std::uint64_t v) {
  for (std::size_t i = Bytes; i-- > 0;) {
    p[i] = static_cast<std::uint8_t>(v);
    v >>= kBitsPerByte;
  }
}

}  // namespace iscsim::stack
