#pragma once
// Moving a protocol's byte stream through a simulated TCP socket: what arrived goes to the
// protocol, what the protocol queued goes into the send buffer as far as it has room.
#include <algorithm>
#include <cstdint>
#include <limits>

#include "sim/stack/iscsi/ByteQueue.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

inline constexpr std::size_t kSocketReadBytes = 1 << 16;  // one read() call's buffer

// Reads what is readable, at most `max_bytes`, kSocketReadBytes a call; calls `deliver(data,
// len)` per piece, the bytes lent where the receive queue holds them.
template <typename Deliver>
void drain_socket(TcpEndpoint& ep, Deliver&& deliver,
                  std::size_t max_bytes = std::numeric_limits<std::size_t>::max()) {
  auto& conn = ep.connection();
  while (conn.readable() > 0 && max_bytes > 0) {
    const stack::tcp::ByteSpans pieces = conn.read_in_place(ep.now_ns(), std::min(kSocketReadBytes, max_bytes));
    if (pieces[0].len == 0) break;
    for (const stack::tcp::ByteSpan& piece : pieces) {
      if (piece.len == 0) continue;
      deliver(piece.data, piece.len);
      max_bytes -= piece.len;
    }
  }
}

// Writes queued bytes, at most `max_bytes`, while the send buffer has room; returns the bytes written.
std::size_t fill_socket(TcpEndpoint& ep, stack::iscsi::ByteQueue& queue,
                        std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

}  // namespace iscsim::world
