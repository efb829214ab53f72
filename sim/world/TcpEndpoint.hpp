#pragma once
// One end of a TCP connection in the simulated world: the sans-IO connection, the addresses its
// frames carry, its timer on the calendar, and the application that reads and writes it.
#include <cstdint>
#include <functional>
#include <string>

#include "sim/stack/net/Addresses.hpp"
#include "sim/stack/tcp/Connection.hpp"
#include "sim/world/Calendar.hpp"
#include "sim/world/FramePool.hpp"
#include "sim/world/NicPort.hpp"

namespace iscsim::world {

class TcpEndpoint {
 public:
  using FrameOut = std::function<void(Frame)>;

  TcpEndpoint(std::string name, Calendar& calendar, const stack::tcp::Config& config, stack::net::FlowAddress addr,
              std::uint16_t local_port, std::uint16_t remote_port, std::uint32_t iss, FrameOut out);

  // Called after every event that may have moved data, so the application can read and write.
  void set_application(std::function<void()> on_activity) { on_activity_ = std::move(on_activity); }
  // Frames are built in buffers taken from `pool` (else freshly allocated).
  void use_frames(FramePool* pool) { frames_ = pool; }

  void connect();
  void listen();
  void deliver(const stack::tcp::Segment& seg);
  // Sends what the connection queued and re-arms its timer; call after driving it directly.
  void flush();

  stack::tcp::Connection& connection() { return conn_; }
  const stack::tcp::Connection& connection() const { return conn_; }
  const std::string& name() const { return name_; }
  const stack::net::FlowAddress& address() const { return addr_; }
  std::uint16_t local_port() const { return local_port_; }
  std::uint16_t remote_port() const { return remote_port_; }
  stack::Nanos now_ns() const { return calendar_.now() / models::kPicosPerNano; }

 private:
  void arm_timer();
  void on_timer_event(Picos at);

  std::string name_;
  Calendar& calendar_;
  stack::net::FlowAddress addr_;
  std::uint16_t local_port_;
  std::uint16_t remote_port_;
  stack::tcp::Connection conn_;
  FrameOut out_;
  FramePool* frames_ = nullptr;
  std::function<void()> on_activity_;
  std::uint16_t ip_id_ = 0;
  bool timer_scheduled_ = false;
  Picos timer_at_ = 0;
};

}  // namespace iscsim::world
