#include "sim/world/StreamPump.hpp"

#include <algorithm>

namespace iscsim::world {

std::size_t fill_socket(TcpEndpoint& ep, stack::iscsi::ByteQueue& queue, std::size_t max_bytes) {
  auto& conn = ep.connection();
  std::size_t wrote = 0;
  while (!queue.empty() && wrote < max_bytes) {
    const std::size_t room = std::min(conn.send_space(), max_bytes - wrote);
    if (room == 0) break;
    const std::size_t n = conn.send(ep.now_ns(), queue.front(), std::min(room, queue.front_size()));
    if (n == 0) break;
    queue.consume(n);
    wrote += n;
  }
  return wrote;
}

}  // namespace iscsim::world
