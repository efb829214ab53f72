#pragma once
// Scans of one 8-way cache set, the shipped associativity: which way holds a tag, and the
// smallest LRU stamp. SSE2 compares where the host has them, plain loops elsewhere.
#include <algorithm>
#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace iscsim::models {

// Bit w set where key w of the eight `keys`, masked by `tag_mask`, equals `want`: two SSE2
// compares where the host has them, a loop elsewhere.
inline unsigned match8(const std::uint32_t* keys, std::uint32_t want, std::uint32_t tag_mask) {
#if defined(__SSE2__)
  const __m128i mask = _mm_set1_epi32(static_cast<int>(tag_mask));
  const __m128i w = _mm_set1_epi32(static_cast<int>(want));
  const __m128i low = _mm_cmpeq_epi32(_mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(keys)), mask), w);
  const __m128i high =
      _mm_cmpeq_epi32(_mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(keys + 4)), mask), w);
  return static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(low)) |
                               (_mm_movemask_ps(_mm_castsi128_ps(high)) << 4));
#else
  unsigned hits = 0;
  for (unsigned way = 0; way < 8; ++way) hits |= unsigned((keys[way] & tag_mask) == want) << way;
  return hits;
#endif
}

// The smallest of eight stamps (each below 2^31, so signed lanes compare them right).
inline std::uint32_t min8(const std::uint32_t* stamps) {
#if defined(__SSE2__)
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(stamps));
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(stamps + 4));
  const auto min = [](__m128i x, __m128i y) {
    const __m128i x_greater = _mm_cmpgt_epi32(x, y);
    return _mm_or_si128(_mm_and_si128(x_greater, y), _mm_andnot_si128(x_greater, x));
  };
  __m128i m = min(a, b);
  m = min(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(1, 0, 3, 2)));
  m = min(m, _mm_shuffle_epi32(m, _MM_SHUFFLE(2, 3, 0, 1)));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si32(m));
#else
  return *std::min_element(stamps, stamps + 8);
#endif
}

}  // namespace iscsim::models
