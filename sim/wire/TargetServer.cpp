#include "sim/wire/TargetServer.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <random>

namespace iscsim::wire {

namespace {

namespace iscsi = stack::iscsi;

// Pending connections the kernel holds for accept(); beyond the session limit so that a burst
// of connections is answered ("out of resources") rather than left in SYN backlog.
constexpr int kListenBacklog = 64;
constexpr std::size_t kEventsPerWait = 64;
// How often deadlines are checked when no socket is active: login timeouts are seconds long,
// so a tenth of a second of lateness is immaterial.
constexpr std::chrono::milliseconds kHousekeeping{100};
// The target accepts this many commands beyond those completed (MaxCmdSN - ExpCmdSN + 1).
// Every command completes at once on the RAM disk, so the window only bounds what a pipelining
// initiator may have queued: libiscsi's default queue depth is well below it.
constexpr std::uint32_t kCommandWindow = 128;
constexpr std::uint16_t kPortalGroupTag = 1;
constexpr std::size_t kLogLineBytes = 200;

std::string peer_name(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
  } else {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    port = ntohs(in6->sin6_port);
  }
  return HostPort{host, port}.to_string();
}

}  // namespace

TargetServer::TargetServer(ServerConfig config) : config_(std::move(config)) {
  stack::scsi::LunIdentity id;
  id.serial = "ISCSIM-WIRE";
  if (config_.lun_bytes < stack::scsi::kDefaultBlockBytes)
    throw BadWireInput("the LUN must hold at least one " + std::to_string(stack::scsi::kDefaultBlockBytes) +
                       "-byte block");
  device_.add_lun(0, stack::scsi::Lun(id, config_.lun_bytes));
  listen_fd_ = listen_tcp(config_.listen, kListenBacklog);
  port_ = local_port(listen_fd_.get());
  epoll_fd_.reset(::epoll_create1(EPOLL_CLOEXEC));
  stop_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_fd_.valid() || !stop_fd_.valid()) throw WireError(os_error("epoll_create1/eventfd"));
  for (int fd : {listen_fd_.get(), stop_fd_.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) throw WireError(os_error("epoll_ctl"));
  }
}

TargetServer::~TargetServer() = default;

void TargetServer::request_stop() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_.get(), &one, sizeof one);
}

void TargetServer::log(const std::string& line) {
  if (!config_.log) return;
  // Failure reasons may quote a peer's bytes: keep the log printable and each line short.
  std::string safe = line.substr(0, kLogLineBytes);
  for (char& c : safe)
    if (!std::isprint(static_cast<unsigned char>(c))) c = '?';
  *config_.log << "iscsim serve: " << safe << (line.size() > kLogLineBytes ? "..." : "") << std::endl;
}

iscsi::TargetConfig TargetServer::session_config() {
  iscsi::TargetConfig tc;
  tc.identity = config_.identity;
  tc.identity.portal_group_tag = kPortalGroupTag;
  tc.identity.target_address = HostPort{config_.listen.host, port_}.to_string() + "," + std::to_string(kPortalGroupTag);
  tc.prefs = config_.prefs;
  tc.command_window = kCommandWindow;
  // TSIH 0 is reserved for "new session" (RFC 7143 section 11.12.6).
  if (next_tsih_ == 0) next_tsih_ = 1;
  tc.tsih = next_tsih_++;
  // CHAP challenges on a real network must not be predictable.
  tc.seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  return tc;
}

void TargetServer::run() {
  std::array<epoll_event, kEventsPerWait> events{};
  bool stopping = false;
  while (!stopping) {
    const int n = ::epoll_wait(epoll_fd_.get(), events.data(), static_cast<int>(events.size()),
                               static_cast<int>(kHousekeeping.count()));
    if (n < 0 && errno != EINTR) throw WireError(os_error("epoll_wait"));
    for (int i = 0; i < n; ++i) {
      const int fd = events[i].data.fd;
      if (fd == stop_fd_.get())
        stopping = true;
      else if (fd == listen_fd_.get())
        accept_all();
      else
        on_event(fd, events[i].events);
    }
    expire(Clock::now());
  }
  while (!connections_.empty()) close(connections_.begin()->first, "server stopping");
}

void TargetServer::accept_all() {
  for (;;) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    UniqueFd fd(::accept4(listen_fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      // Out of descriptors or a connection reset before we took it: keep serving the others.
      log(os_error("accept"));
      return;
    }
    set_nodelay(fd.get());
    const bool full = connections_.size() >= config_.max_sessions;
    const int raw = fd.get();
    auto c = std::make_unique<ServerConnection>(std::move(fd), peer_name(ss), session_config(), device_,
                                                Clock::now() + config_.login_timeout, full);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = raw;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, raw, &ev) != 0) {
      log(os_error("epoll_ctl"));
      continue;
    }
    ++accepted_;
    log("connection from " + c->peer() + (full ? " refused (" + std::to_string(config_.max_sessions) +
                                                       " sessions already)" : ""));
    connections_.emplace(raw, std::move(c));
  }
}

void TargetServer::on_event(int fd, std::uint32_t events) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  ServerConnection& c = *it->second;
  ServerConnection::Verdict v = ServerConnection::Verdict::Keep;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) v = c.on_readable();
  if (v == ServerConnection::Verdict::Keep && (events & EPOLLOUT)) v = c.on_writable();
  if (v == ServerConnection::Verdict::Close) {
    const std::string why = c.failure();
    return close(fd, why.empty() ? "closed" : why);
  }
  update_interest(c);
}

void TargetServer::update_interest(ServerConnection& c) {
  epoll_event ev{};
  ev.events = (c.wants_read() ? EPOLLIN : 0u) | (c.wants_write() ? EPOLLOUT : 0u);
  ev.data.fd = c.fd();
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, c.fd(), &ev);
}

void TargetServer::close(int fd, const std::string& why) {
  const auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  log("connection from " + it->second->peer() + " ended: " + why);
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  connections_.erase(it);  // closes the socket
}

void TargetServer::expire(Clock::time_point now) {
  std::vector<std::pair<int, std::string>> late;
  for (const auto& [fd, c] : connections_) {
    const auto d = c->deadline();
    if (d && now >= *d) late.emplace_back(fd, c->late_reason());
  }
  for (const auto& [fd, why] : late) close(fd, why);
}

}  // namespace iscsim::wire
