#include "sim/wire/InitiatorClient.hpp"

#include <cerrno>
#include <vector>

#include <poll.h>
#include <sys/socket.h>

namespace iscsim::wire {

namespace {

using stack::iscsi::InitiatorSession;
using Clock = std::chrono::steady_clock;

int millis_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

}  // namespace

InitiatorClient::InitiatorClient(const HostPort& target, stack::iscsi::InitiatorConfig config,
                                 std::chrono::milliseconds timeout)
    : fd_(connect_tcp(target, timeout)), session_(std::move(config)), timeout_(timeout) {}

void InitiatorClient::flush_output(Clock::time_point deadline) {
  auto& out = session_.output();
  while (!out.empty()) {
    pollfd p{fd_.get(), POLLOUT, 0};
    if (::poll(&p, 1, millis_left(deadline)) == 0) throw WireError("timed out sending to the target");
    const ssize_t n = ::send(fd_.get(), out.front(), out.front_size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      throw WireError(os_error("send"));
    }
    out.consume(static_cast<std::size_t>(n));
  }
}

template <class Done>
void InitiatorClient::pump_until(Done done, const char* what) {
  const auto deadline = Clock::now() + timeout_;
  std::vector<std::uint8_t> buf(kReadBytes);
  for (;;) {
    flush_output(deadline);
    if (session_.state() == InitiatorSession::State::Failed) {
      if (session_.login_refused()) throw LoginRefused(session_.failure());
      throw WireError(std::string(what) + ": " + session_.failure());
    }
    if (done()) return;
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, millis_left(deadline)) == 0)
      throw WireError(std::string(what) + ": no answer from the target in " + std::to_string(timeout_.count()) + " ms");
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
    if (n == 0) {
      session_.connection_lost("the target closed the connection");
      if (done()) return;
      throw WireError(std::string(what) + ": the target closed the connection");
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      throw WireError(os_error(what));
    }
    session_.on_bytes(buf.data(), static_cast<std::size_t>(n));
  }
}

void InitiatorClient::login() {
  session_.connect();
  pump_until([this] { return session_.state() == InitiatorSession::State::FullFeature; }, "login");
}

stack::iscsi::ScsiCompletion InitiatorClient::execute(stack::iscsi::ScsiRequest request) {
  request.tag = next_tag_++;
  const std::uint64_t tag = request.tag;
  session_.submit(std::move(request));
  std::vector<stack::iscsi::ScsiCompletion> done;
  pump_until(
      [&] {
        for (auto& c : session_.take_completions()) done.push_back(std::move(c));
        for (const auto& c : done)
          if (c.tag == tag) return true;
        return false;
      },
      "SCSI command");
  for (auto& c : done)
    if (c.tag == tag) return std::move(c);
  throw WireError("SCSI command: no completion");
}

void InitiatorClient::logout() {
  session_.logout();
  pump_until([this] { return session_.state() == InitiatorSession::State::LoggedOut; }, "logout");
}

}  // namespace iscsim::wire
