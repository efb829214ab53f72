#include "sim/workload/BlockStamp.hpp"

#include <algorithm>
#include <cstring>

namespace iscsim::workload {

namespace {

constexpr std::size_t kWord = sizeof(std::uint64_t);
constexpr std::size_t kWords = kStampBlockBytes / kWord;
constexpr std::size_t kHeaderWords = 2;  // lba; generation and disk
constexpr unsigned kGenerationShift = 32;
constexpr std::uint64_t kLowMask = 0xFFFFFFFFull;
// SplitMix64 finalizer constants (Steele et al., "Fast splittable pseudorandom number generators").
constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ull;
constexpr std::uint64_t kMix1 = 0xBF58476D1CE4E5B9ull;
constexpr std::uint64_t kMix2 = 0x94D049BB133111EBull;
constexpr unsigned kShift1 = 30;
constexpr unsigned kShift2 = 27;
constexpr unsigned kShift3 = 31;

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> kShift1)) * kMix1;
  z = (z ^ (z >> kShift2)) * kMix2;
  return z ^ (z >> kShift3);
}

void words(const StampKey& k, std::uint64_t (&w)[kWords]) {
  w[0] = k.lba;
  w[1] = (static_cast<std::uint64_t>(k.generation) << kGenerationShift) | (k.disk & kLowMask);
  const std::uint64_t seed = mix(k.lba ^ mix(w[1]));
  for (std::size_t i = kHeaderWords; i < kWords; ++i) w[i] = seed + i * kGolden;
}

}  // namespace

std::optional<std::uint32_t> stamped_generation(std::uint64_t disk, std::uint64_t lba, const std::uint8_t* block) {
  std::uint64_t header[kHeaderWords];
  std::memcpy(header, block, sizeof header);
  const auto generation = static_cast<std::uint32_t>(header[1] >> kGenerationShift);
  if (generation != 0 && (header[0] != lba || (header[1] & kLowMask) != (disk & kLowMask))) return std::nullopt;
  if (!block_matches(StampKey{disk, lba, generation}, block)) return std::nullopt;
  return generation;
}

void stamp_block(const StampKey& key, std::uint8_t* block) {
  if (key.generation == 0) {
    std::memset(block, 0, kStampBlockBytes);
    return;
  }
  std::uint64_t w[kWords];
  words(key, w);
  std::memcpy(block, w, kStampBlockBytes);
}

bool block_matches(const StampKey& key, const std::uint8_t* block) {
  if (key.generation == 0) return std::all_of(block, block + kStampBlockBytes, [](std::uint8_t b) { return b == 0; });
  std::uint64_t w[kWords];
  words(key, w);
  return std::memcmp(block, w, kStampBlockBytes) == 0;
}

}  // namespace iscsim::workload
