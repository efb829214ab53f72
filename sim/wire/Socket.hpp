#pragma once
// Kernel TCP sockets for wire mode: an owned file descriptor, "host:port" addresses, and the
// listening, accepting and connecting calls the server and the probe make.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace iscsim::wire {

// A failure of the operating system or of the peer (connection refused, reset, timed out).
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input a user typed that cannot be used (a malformed address, URL or size).
class BadWireInput : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

inline constexpr std::uint16_t kIscsiPort = 3260;  // RFC 7143 well-known port
// One read() call's buffer, server or client: a few full-sized data PDUs.
inline constexpr std::size_t kReadBytes = 256 << 10;

// Owns one file descriptor; closes it when dropped.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

struct HostPort {
  std::string host;  // an IPv4 address or a name; "[v6]" is accepted without brackets here
  std::uint16_t port = kIscsiPort;
  std::string to_string() const;
};

// "HOST[:PORT]" or "[V6ADDR][:PORT]"; throws BadWireInput.
HostPort parse_host_port(const std::string& text, std::uint16_t default_port);

// A non-blocking listening socket bound to `where` (port 0: the kernel picks one).
UniqueFd listen_tcp(const HostPort& where, int backlog);
// The port a bound socket got.
std::uint16_t local_port(int fd);
// A blocking connected socket with TCP_NODELAY, or WireError after `timeout`.
UniqueFd connect_tcp(const HostPort& where, std::chrono::milliseconds timeout);

void set_nonblocking(int fd);
void set_nodelay(int fd);
// strerror(errno) with what we were doing.
std::string os_error(const std::string& what);

}  // namespace iscsim::wire
