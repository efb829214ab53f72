#include "sim/world/IscsiInitiatorLink.hpp"

#include "sim/world/StreamPump.hpp"

namespace iscsim::world {

using stack::iscsi::InitiatorSession;
using stack::tcp::State;

IscsiInitiatorLink::IscsiInitiatorLink(TcpEndpoint& endpoint, const stack::iscsi::InitiatorConfig& config,
                                       IoSink& sink, std::size_t path, Calendar& calendar,
                                       Reconnect reconnect)
    : endpoint_(&endpoint),
      calendar_(calendar),
      reconnect_(std::move(reconnect)),
      session_(config),
      sink_(sink),
      path_(path),
      scratch_(kSocketReadBytes) {
  attach_endpoint();
}

void IscsiInitiatorLink::attach_endpoint() {
  endpoint_->set_application([this] {
    if (notify_)
      notify_();
    else
      on_activity();
  });
}

void IscsiInitiatorLink::set_deferred(std::function<void()> notify) { notify_ = std::move(notify); }

void IscsiInitiatorLink::start() { endpoint_->connect(); }

void IscsiInitiatorLink::submit(stack::iscsi::ScsiRequest request) {
  session_.submit(std::move(request));
  pump();
}

void IscsiInitiatorLink::logout() {
  session_.logout();
  pump();
}

std::size_t IscsiInitiatorLink::receive() {
  const std::size_t bytes = read_socket();
  check_connection();
  return bytes;
}

std::size_t IscsiInitiatorLink::read_socket() {
  const State tcp = endpoint_->connection().state();
  if (!login_started_ && (tcp == State::Established || tcp == State::CloseWait)) {
    login_started_ = true;
    session_.connect();
  }
  std::size_t bytes = 0;
  drain_socket(*endpoint_, scratch_, [this, &bytes](const std::uint8_t* p, std::size_t n) {
    bytes += n;
    session_.on_bytes(p, n);
  });
  if (!ready_ && session_.state() == InitiatorSession::State::FullFeature) {
    ready_ = true;
    sink_.path_ready(path_);
  }
  for (const auto& c : session_.take_completions()) sink_.on_completion(c);
  return bytes;
}

std::size_t IscsiInitiatorLink::transmit() {
  const std::size_t before = session_.output().size();
  if (fill_socket(*endpoint_, session_.output())) endpoint_->flush();
  return before - session_.output().size();
}

bool IscsiInitiatorLink::ended() const {
  return session_.state() == InitiatorSession::State::LoggedOut || session_.state() == InitiatorSession::State::Failed;
}

void IscsiInitiatorLink::on_activity() {
  read_socket();
  fill_socket(*endpoint_, session_.output());
  check_connection();
}

void IscsiInitiatorLink::check_connection() {
  if (reconnecting_ || !login_started_ || session_.state() == InitiatorSession::State::LoggedOut) return;
  const State tcp = endpoint_->connection().state();
  const bool dropped = tcp == State::Closed || tcp == State::CloseWait || tcp == State::TimeWait;
  if (session_.state() != InitiatorSession::State::Failed && !dropped) return;
  session_.connection_lost("connection dropped");
  if (session_.login_refused() || !reconnect_) return;
  reconnecting_ = true;
  // Reset what is left of the old connection, then wait DefaultTime2Wait (RFC 7143 13.15).
  if (tcp != State::Closed) endpoint_->connection().abort(endpoint_->now_ns());
  const Picos wait = models::picos_from_seconds(session_.params().default_time2wait);
  calendar_.schedule(calendar_.now() + wait, [this] { reconnect(); });
}

void IscsiInitiatorLink::reconnect() {
  ++reconnects_;
  endpoint_ = reconnect_();
  attach_endpoint();
  login_started_ = false;
  reconnecting_ = false;
  endpoint_->connect();
}

void IscsiInitiatorLink::pump() {
  if (notify_)
    notify_();
  else if (fill_socket(*endpoint_, session_.output()))
    endpoint_->flush();
}

}  // namespace iscsim::world
