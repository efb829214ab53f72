#include "sim/workload/BlockStamp.hpp"

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

// The stamp's header words and the seed its filler words count up from.
struct Stamp {
  std::uint64_t lba;
  std::uint64_t generation_and_disk;
  std::uint64_t seed;
};

Stamp stamp_of(const StampKey& k) {
  const std::uint64_t second = (static_cast<std::uint64_t>(k.generation) << kGenerationShift) | (k.disk & kLowMask);
  return Stamp{k.lba, second, mix(k.lba ^ mix(second))};
}

// Word i of the stamp (i >= kHeaderWords): filler from the seed.
std::uint64_t filler(const Stamp& s, std::size_t i) { return s.seed + i * kGolden; }

std::uint64_t load_word(const std::uint8_t* block, std::size_t i) {
  std::uint64_t w;
  std::memcpy(&w, block + i * kWord, kWord);
  return w;
}

void store_word(std::uint8_t* block, std::size_t i, std::uint64_t w) { std::memcpy(block + i * kWord, &w, kWord); }

// Filler words kHeaderWords.. of the stamp, as independent lanes a step of kLanes words apart
// (the compiler keeps one running sum otherwise: one word a cycle at best).
void fill_words(std::uint8_t* block, const Stamp& s) {
  constexpr std::size_t kLanes = 4;
  std::uint64_t lane[kLanes];
  for (std::size_t l = 0; l < kLanes; ++l) lane[l] = filler(s, kHeaderWords + l);
  std::size_t i = kHeaderWords;
  for (; i + kLanes <= kWords; i += kLanes) {
    std::memcpy(block + i * kWord, lane, sizeof lane);
    for (std::uint64_t& w : lane) w += kLanes * kGolden;
  }
  for (std::size_t l = 0; i < kWords; ++i, ++l) store_word(block, i, lane[l]);
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
  // Written word by word where the block lies: no staging copy.
  const Stamp s = stamp_of(key);
  store_word(block, 0, s.lba);
  store_word(block, 1, s.generation_and_disk);
  fill_words(block, s);
}

bool block_matches(const StampKey& key, const std::uint8_t* block) {
  if (key.generation == 0) {
    // Differences gathered over the whole block without a branch per word.
    std::uint64_t differ = 0;
    for (std::size_t i = 0; i < kWords; ++i) differ |= load_word(block, i);
    return differ == 0;
  }
  // The expected stamp built on the stack and compared in one memcmp (wide loads; a word-by-word
  // loop against the rule measured no faster).
  std::uint8_t expected[kStampBlockBytes];
  stamp_block(key, expected);
  return std::memcmp(block, expected, kStampBlockBytes) == 0;
}

}  // namespace iscsim::workload
