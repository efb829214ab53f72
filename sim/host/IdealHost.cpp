#include "sim/host/IdealHost.hpp"

#include <algorithm>
#include <utility>

#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host {

std::size_t IdealHost::attach(world::NicPort* port) {
  const std::size_t index = ports_.size();
  ports_.push_back(Port{port, {}});
  port->set_interrupt_handler([this, index] { interrupt(index); });
  return index;
}

void IdealHost::bind(std::size_t port_index, world::TcpEndpoint* endpoint) {
  flows_[FlowKey{port_index, endpoint->local_port(), endpoint->remote_port()}] = endpoint;
}

void IdealHost::send(std::size_t port_index, world::Frame frame) {
  Port& port = ports_.at(port_index);
  port.qdisc.push_back(std::move(frame));
  qdisc_peak_ = std::max<std::uint64_t>(qdisc_peak_, port.qdisc.size());
  drain(port);
}

void IdealHost::drain(Port& port) {
  while (!port.qdisc.empty() && port.nic->transmit(port.qdisc.front())) port.qdisc.pop_front();
}

void IdealHost::interrupt(std::size_t port_index) {
  Port& port = ports_[port_index];
  port.nic->clean_tx();
  drain(port);
  for (world::Frame& frame : port.nic->clean_rx()) {
    const bool bad = stack::net::parse_frame_into(frame.data(), frame.size(), received_) != nullptr;
    port.nic->recycle(std::move(frame));  // the parsed segment holds all it needs
    if (bad) {
      ++errors_.bad_frames;
      continue;
    }
    const stack::tcp::Segment& seg = received_.segment;
    auto it = flows_.find(FlowKey{port_index, seg.dst_port, seg.src_port});
    if (it == flows_.end()) {
      ++errors_.no_endpoint;
      continue;
    }
    it->second->deliver(seg);
  }
}

}  // namespace iscsim::host
