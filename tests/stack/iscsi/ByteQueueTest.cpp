#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "sim/stack/iscsi/ByteQueue.hpp"

namespace iscsim::stack::iscsi {
namespace {

TEST(ByteQueue, BytesComeOutInOrderAcrossRecycledChunks) {
  // Appends of uneven sizes (some longer than a chunk) taken in other uneven amounts, so that
  // consumed chunks are reused many times while bytes are still queued behind them.
  ByteQueue q;
  std::vector<std::uint8_t> expected;
  std::vector<std::uint8_t> got;
  std::uint8_t next = 0;
  for (int round = 0; round < 40; ++round) {
    const std::size_t n = 1000 + static_cast<std::size_t>(round) * 3371 % 90000;
    std::vector<std::uint8_t> piece(n);
    for (auto& b : piece) b = next++;
    q.append(piece.data(), piece.size());
    expected.insert(expected.end(), piece.begin(), piece.end());
    for (std::size_t take = 7000 + static_cast<std::size_t>(round) * 911 % 50000; take > 0 && !q.empty();) {
      const std::size_t k = std::min(take, q.front_size());
      got.insert(got.end(), q.front(), q.front() + k);
      q.consume(k);
      take -= k;
    }
  }
  while (!q.empty()) {
    got.insert(got.end(), q.front(), q.front() + q.front_size());
    q.consume(q.front_size());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(q.size(), 0u);
}

}  // namespace
}  // namespace iscsim::stack::iscsi
