#pragma once
// A machine's network software as the world sees it: it owns the drivers of its NIC ports,
// delivers what they receive to its TCP endpoints and sends their frames. The ideal host does
// this in zero time; the SMP and AMP hosts charge it to simulated CPUs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "sim/host/CostedHost.hpp"
#include "sim/world/IoTarget.hpp"
#include "sim/world/IscsiInitiatorLink.hpp"
#include "sim/world/NicPort.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::host {

struct ReceiveErrors {
  std::uint64_t bad_frames = 0;     // failed IP/TCP parsing or a checksum: dropped
  std::uint64_t no_endpoint = 0;    // valid TCP for no known connection
};

class Host {
 public:
  virtual ~Host() = default;
  // The host owns the driver of `port`: its interrupts run this host's receive path.
  virtual std::size_t attach(world::NicPort* port) = 0;
  virtual void bind(std::size_t port_index, world::TcpEndpoint* endpoint) = 0;
  // Sends a frame from `port_index`: queued (the qdisc) and handed to the TX ring as it fits.
  virtual void send(std::size_t port_index, world::Frame frame) = 0;

  virtual const std::string& name() const = 0;
  virtual const ReceiveErrors& receive_errors() const = 0;
  virtual std::uint64_t qdisc_peak() const = 0;

  // The I/O path of iSCSI session `index` over `link`: the host's own software around the link
  // (threads, queues), or null when the link is driven directly because software costs nothing.
  // `user_buffer_bytes`: the issuing worker's one I/O buffer, shared by all its I/Os.
  virtual std::unique_ptr<world::IoTarget> bind_session(world::IscsiInitiatorLink& link, std::size_t index,
                                                        std::uint64_t user_buffer_bytes) {
    (void)link;
    (void)index;
    (void)user_buffer_bytes;
    return nullptr;
  }
  // Its simulated CPUs, if its software runs on any.
  virtual CostedHost* costed() { return nullptr; }
  virtual const CostedHost* costed() const { return nullptr; }
};

}  // namespace iscsim::host
