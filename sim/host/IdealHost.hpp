#pragma once
// A machine whose software costs nothing: the driver, IP and TCP run in zero time when a NIC
// interrupts, so throughput is bounded only by the wire, the NICs and the buses (the wire bound).
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "sim/host/Host.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host {

class IdealHost : public Host {
 public:
  explicit IdealHost(std::string name) : name_(std::move(name)) {}

  // The host owns the driver of `port`: its interrupts run this host's receive path.
  std::size_t attach(world::NicPort* port) override;
  void bind(std::size_t port_index, world::TcpEndpoint* endpoint) override;
  void send(std::size_t port_index, world::Frame frame) override;

  const std::string& name() const override { return name_; }
  const ReceiveErrors& receive_errors() const override { return errors_; }
  std::uint64_t qdisc_peak() const override { return qdisc_peak_; }

 private:
  struct Port {
    world::NicPort* nic = nullptr;
    std::deque<world::Frame> qdisc;
  };
  using FlowKey = std::tuple<std::size_t, std::uint16_t, std::uint16_t>;  // port, local, remote

  void interrupt(std::size_t port_index);
  void drain(Port& port);

  std::string name_;
  std::vector<Port> ports_;
  std::map<FlowKey, world::TcpEndpoint*> flows_;
  ReceiveErrors errors_;
  std::uint64_t qdisc_peak_ = 0;
  stack::net::ParsedFrame received_;  // each received frame parsed into the same buffers
};

}  // namespace iscsim::host
