#pragma once
// What the fuzz targets share: a property that fails traps (libFuzzer keeps the input), and the
// session targets' mode byte, whose high nibble picks the size of the pieces the stream comes in.
#include <cstddef>
#include <cstdint>

namespace iscsim::fuzz {

inline void require(bool ok) {
  if (!ok) __builtin_trap();
}

// 4^n bytes for a mode byte whose high nibble is n: 1, 4, 16, ... up to the whole stream.
inline std::size_t chunk_bytes(std::uint8_t mode) { return std::size_t{1} << (2 * (mode >> 4)); }

}  // namespace iscsim::fuzz
