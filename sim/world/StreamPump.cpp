#include "sim/world/StreamPump.hpp"

#include <algorithm>

namespace iscsim::world {

bool fill_socket(TcpEndpoint& ep, stack::iscsi::ByteQueue& queue) {
  auto& conn = ep.connection();
  bool wrote = false;
  while (!queue.empty()) {
    const std::size_t room = conn.send_space();
    if (room == 0) break;
    const std::size_t n = conn.send(ep.now_ns(), queue.front(), std::min(room, queue.front_size()));
    if (n == 0) break;
    queue.consume(n);
    wrote = true;
  }
  return wrote;
}

}  // namespace iscsim::world
