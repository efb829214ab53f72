#include "sim/wire/Socket.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace iscsim::wire {

namespace {

// getaddrinfo for a TCP stream to or from `where`; the caller frees the list.
addrinfo* resolve(const HostPort& where, bool passive) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  addrinfo* list = nullptr;
  const std::string port = std::to_string(where.port);
  const int rc = ::getaddrinfo(where.host.c_str(), port.c_str(), &hints, &list);
  if (rc != 0) throw BadWireInput("cannot resolve " + where.to_string() + ": " + ::gai_strerror(rc));
  return list;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) reset(o.release());
  return *this;
}

int UniqueFd::release() {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

std::string HostPort::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

HostPort parse_host_port(const std::string& text, std::uint16_t default_port) {
  HostPort hp;
  hp.port = default_port;
  std::string rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos) throw BadWireInput("\"" + text + "\": '[' without ']'");
    hp.host = text.substr(1, close - 1);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') throw BadWireInput("\"" + text + "\": expected ':PORT' after ']'");
  } else {
    const auto colon = text.rfind(':');
    hp.host = text.substr(0, colon);
    if (colon != std::string::npos) rest = text.substr(colon);
  }
  if (hp.host.empty()) throw BadWireInput("\"" + text + "\": no host");
  if (!rest.empty()) {
    const std::string digits = rest.substr(1);
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || v > UINT16_MAX)
      throw BadWireInput("\"" + text + "\": the port must be a number 0..65535");
    hp.port = static_cast<std::uint16_t>(v);
  }
  return hp;
}

std::string os_error(const std::string& what) { return what + ": " + std::strerror(errno); }

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) throw WireError(os_error("fcntl O_NONBLOCK"));
}

void set_nodelay(int fd) {
  // iSCSI is request/response: Nagle would hold a small PDU back for a whole round trip.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

UniqueFd listen_tcp(const HostPort& where, int backlog) {
  addrinfo* list = resolve(where, true);
  std::string last = "no address";
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) continue;
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd.get(), backlog) == 0) {
      ::freeaddrinfo(list);
      set_nonblocking(fd.get());
      return fd;
    }
    last = std::strerror(errno);
  }
  ::freeaddrinfo(list);
  throw WireError("cannot listen on " + where.to_string() + ": " + last);
}

std::uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) throw WireError(os_error("getsockname"));
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

UniqueFd connect_tcp(const HostPort& where, std::chrono::milliseconds timeout) {
  addrinfo* list = resolve(where, false);
  std::string last = "no address";
  for (addrinfo* ai = list; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!fd.valid()) continue;
    int rc = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd.get(), POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        last = "timed out";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      errno = err;
      rc = err == 0 ? 0 : -1;
    }
    if (rc == 0) {
      ::freeaddrinfo(list);
      const int flags = ::fcntl(fd.get(), F_GETFL, 0);
      ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
      set_nodelay(fd.get());
      return fd;
    }
    last = std::strerror(errno);
  }
  ::freeaddrinfo(list);
  throw WireError("cannot connect to " + where.to_string() + ": " + last);
}

}  // namespace iscsim::wire
