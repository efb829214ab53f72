#include "sim/world/TcpEndpoint.hpp"

#include <utility>
#include <vector>

#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::world {

TcpEndpoint::TcpEndpoint(std::string name, Calendar& calendar, const stack::tcp::Config& config,
                         stack::net::FlowAddress addr, std::uint16_t local_port, std::uint16_t remote_port,
                         std::uint32_t iss, FrameOut out)
    : name_(std::move(name)),
      calendar_(calendar),
      addr_(addr),
      local_port_(local_port),
      remote_port_(remote_port),
      conn_(config, local_port, remote_port, iss),
      out_(std::move(out)) {}

void TcpEndpoint::connect() {
  conn_.connect(now_ns());
  flush();
}

void TcpEndpoint::listen() { conn_.listen(); }

void TcpEndpoint::deliver(const stack::tcp::Segment& seg) {
  conn_.on_segment(now_ns(), seg);
  if (on_activity_) on_activity_();
  flush();
}

void TcpEndpoint::flush() {
  std::vector<stack::tcp::Segment> segments = conn_.take_output();
  for (const stack::tcp::Segment& seg : segments) {
    Frame frame = frames_ != nullptr ? frames_->take() : Frame{};
    stack::net::build_frame_into(frame, addr_, ip_id_++, seg);
    out_(std::move(frame));
  }
  conn_.recycle(segments);
  arm_timer();
}

void TcpEndpoint::arm_timer() {
  const auto due_ns = conn_.next_timeout();
  if (!due_ns) return;
  const Picos due = *due_ns * models::kPicosPerNano;
  // Lazy re-arming: keep the earliest event; when it fires it re-checks the connection's timer.
  if (timer_scheduled_ && timer_at_ <= due) return;
  timer_scheduled_ = true;
  timer_at_ = due;
  calendar_.schedule(due, [this, due] { on_timer_event(due); });
}

void TcpEndpoint::on_timer_event(Picos at) {
  if (!timer_scheduled_ || timer_at_ != at) return;  // superseded by an earlier event
  timer_scheduled_ = false;
  const auto due_ns = conn_.next_timeout();
  if (due_ns && *due_ns <= now_ns()) {
    conn_.on_timer(now_ns());
    if (on_activity_) on_activity_();
  }
  flush();
}

}  // namespace iscsim::world
