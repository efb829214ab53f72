#include "sim/world/IscsiTargetLink.hpp"

#include <algorithm>
#include <memory>

#include "sim/world/StreamPump.hpp"

namespace iscsim::world {

using stack::iscsi::TargetSession;

IscsiTargetLink::IscsiTargetLink(TcpEndpoint& endpoint, const stack::iscsi::TargetConfig& config,
                                 stack::scsi::ScsiTarget& device, models::RamDisk& timing, Calendar& calendar)
    : endpoint_(endpoint),
      session_(config),
      device_(device),
      timing_(timing),
      calendar_(calendar) {
  endpoint_.set_application([this] { on_activity(); });
}

void IscsiTargetLink::listen() { endpoint_.listen(); }

void IscsiTargetLink::on_activity() {
  // What arrived since is the target host's to take through its stack: its thread reads it out
  // of the socket when that is done, and until then it holds the socket's window.
  const std::size_t readable = endpoint_.connection().readable();
  if (readable > booked_) {
    const std::size_t n = readable - booked_;
    booked_ = readable;
    const Picos ready = timing_.receive(calendar_.now(), n);
    if (ready > calendar_.now()) {
      // Out of the connection's own events: what the read and the commands queue (a window
      // update, R2Ts, responses) leaves now.
      calendar_.schedule(ready, [this, n] {
        take(n);
        send();
        endpoint_.flush();
        drop_if_failed();
      });
    } else {
      take(n);
    }
  }
  send();
  drop_if_failed();
}

void IscsiTargetLink::take(std::size_t bytes) {
  booked_ -= std::min(booked_, bytes);
  drain_socket(endpoint_, [this](const std::uint8_t* p, std::size_t n) { session_.on_bytes(p, n); }, bytes);
  for (auto& c : session_.take_commands()) execute(c);
}

std::size_t IscsiTargetLink::send() {
  const std::size_t wrote = fill_socket(endpoint_, session_.output());
  if (wrote > 0) timing_.send(calendar_.now(), wrote);
  return wrote;
}

void IscsiTargetLink::drop_if_failed() {
  // Error recovery level 0: a failed session drops its connection once its last words are out.
  if (session_.state() == TargetSession::State::Failed && session_.output().empty() && !dropped_) {
    dropped_ = true;
    endpoint_.connection().abort(endpoint_.now_ns());
  }
}

void IscsiTargetLink::execute(stack::iscsi::TargetCommand& c) {
  const std::uint64_t lun = stack::scsi::lun_number(c.lun);
  auto result = std::make_shared<stack::scsi::ScsiResult>(
      device_.execute(lun, c.cdb.data(), c.cdb.size(), c.data_out.data(), c.data_out.size()));
  const std::uint64_t bytes = result->data_in.size() + c.data_out.size();
  session_.recycle(std::move(c.data_out));  // written to the store: the buffer serves a later write
  const Picos ready = timing_.serve(calendar_.now(), bytes);
  const std::uint64_t id = c.id;
  calendar_.schedule(ready, [this, id, lun, result] {
    stack::iscsi::CommandResult r;
    r.status = static_cast<std::uint8_t>(result->status);
    r.data_in = std::move(result->data_in);
    r.sense = std::move(result->sense);
    session_.complete(id, r);
    device_.recycle(lun, std::move(r.data_in));  // encoded into Data-In PDUs: serves a later read
    pump();
  });
}

void IscsiTargetLink::pump() {
  if (send() > 0) endpoint_.flush();
  drop_if_failed();
}

}  // namespace iscsim::world
