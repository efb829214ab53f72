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
      path_(path) {
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

void IscsiInitiatorLink::submit(stack::iscsi::ScsiRequest request, std::size_t /*issuer*/) {
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

bool IscsiInitiatorLink::login_due() const {
  const State tcp = endpoint_->connection().state();
  return !login_started_ && (tcp == State::Established || tcp == State::CloseWait);
}

void IscsiInitiatorLink::start_login_if_connected() {
  if (!login_due()) return;
  login_started_ = true;
  session_.connect();
}

void IscsiInitiatorLink::after_delivery() {
  if (!ready_ && session_.state() == InitiatorSession::State::FullFeature) {
    ready_ = true;
    sink_.path_ready(path_);
  }
  for (auto& c : session_.take_completions()) sink_.on_completion(c);
}

std::size_t IscsiInitiatorLink::read_socket() {
  start_login_if_connected();
  std::size_t bytes = 0;
  drain_socket(*endpoint_, [this, &bytes](const std::uint8_t* p, std::size_t n) {
    bytes += n;
    session_.on_bytes(p, n);
  });
  after_delivery();
  return bytes;
}

std::size_t IscsiInitiatorLink::pull(std::size_t max_bytes) {
  auto& conn = endpoint_->connection();
  std::size_t bytes = 0;
  while (bytes < max_bytes && conn.readable() > 0) {
    const std::size_t want = std::min(max_bytes - bytes, kSocketReadBytes);
    const stack::tcp::ByteSpans pieces = conn.read_in_place(endpoint_->now_ns(), want);
    if (pieces[0].len == 0) break;
    for (const stack::tcp::ByteSpan& piece : pieces) {
      landed_.append(piece.data, piece.len);
      bytes += piece.len;
    }
  }
  return bytes;
}

std::size_t IscsiInitiatorLink::process_landed(std::size_t max_bytes) {
  start_login_if_connected();
  std::size_t bytes = 0;
  while (bytes < max_bytes && !landed_.empty()) {
    const std::size_t n = std::min(max_bytes - bytes, landed_.front_size());
    session_.on_bytes(landed_.front(), n);
    landed_.consume(n);
    bytes += n;
  }
  after_delivery();
  check_connection();
  return bytes;
}

std::size_t IscsiInitiatorLink::transmit(std::size_t max_bytes) {
  const std::size_t n = fill_socket(*endpoint_, session_.output(), max_bytes);
  transmitted_ += n;
  if (n > 0) endpoint_->flush();
  return n;
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
  // Bytes the old connection delivered that the session has not seen belong to its stream only.
  landed_.clear();
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
  else if (fill_socket(*endpoint_, session_.output()) > 0)
    endpoint_->flush();
}

}  // namespace iscsim::world
