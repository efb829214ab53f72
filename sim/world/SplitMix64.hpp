#pragma once
// The SplitMix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a cheap bijective hash that decorrelates nearby inputs.
#include <cstdint>

namespace iscsim::world {

inline std::uint64_t splitmix64(std::uint64_t z) {
  constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
  constexpr std::uint64_t kMix1 = 0xBF58476D1CE4E5B9ULL;
  constexpr std::uint64_t kMix2 = 0x94D049BB133111EBULL;
  z += kGolden;
  z = (z ^ (z >> 30)) * kMix1;
  z = (z ^ (z >> 27)) * kMix2;
  return z ^ (z >> 31);
}

}  // namespace iscsim::world
