#pragma once
// The connections a host's TCP knows, by NIC port and TCP ports: which endpoint a received
// segment belongs to, and which one a frame being sent comes from.
#include <cstdint>
#include <unordered_map>

#include "sim/stack/tcp/Segment.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::host::kernel {

class FlowTable {
 public:
  void add(std::size_t port, world::TcpEndpoint* ep) { flows_[key(port, ep->local_port(), ep->remote_port())] = ep; }
  // The endpoint `seg`, received on `port`, is for; null if none.
  world::TcpEndpoint* inbound(std::size_t port, const stack::tcp::Segment& seg) const {
    return find(key(port, seg.dst_port, seg.src_port));
  }
  // The endpoint `seg`, sent from `port`, comes from; null if none.
  world::TcpEndpoint* outbound(std::size_t port, const stack::tcp::Segment& seg) const {
    return find(key(port, seg.src_port, seg.dst_port));
  }

 private:
  static constexpr unsigned kPortShift = 32;   // NIC port above the two 16-bit TCP ports
  static constexpr unsigned kLocalShift = 16;
  static std::uint64_t key(std::size_t port, std::uint16_t local, std::uint16_t remote) {
    return (static_cast<std::uint64_t>(port) << kPortShift) | (static_cast<std::uint64_t>(local) << kLocalShift) |
           remote;
  }
  world::TcpEndpoint* find(std::uint64_t k) const {
    auto it = flows_.find(k);
    return it == flows_.end() ? nullptr : it->second;
  }
  std::unordered_map<std::uint64_t, world::TcpEndpoint*> flows_;
};

}  // namespace iscsim::host::kernel
