#pragma once
// Moving a protocol's byte stream through a simulated TCP socket: what arrived goes to the
// protocol, what the protocol queued goes into the send buffer as far as it has room.
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/stack/iscsi/ByteQueue.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

// Reads everything readable; calls `deliver(data, len)` per piece.
template <typename Deliver>
void drain_socket(TcpEndpoint& ep, std::vector<std::uint8_t>& scratch, Deliver&& deliver) {
  auto& conn = ep.connection();
  while (conn.readable() > 0) {
    const std::size_t n = conn.read(ep.now_ns(), scratch.data(), scratch.size());
    if (n == 0) break;
    deliver(scratch.data(), n);
  }
}

// Writes queued bytes, at most `max_bytes`, while the send buffer has room; returns the bytes written.
std::size_t fill_socket(TcpEndpoint& ep, stack::iscsi::ByteQueue& queue,
                        std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

inline constexpr std::size_t kSocketReadBytes = 1 << 16;  // one read() call's buffer

}  // namespace iscsim::world
