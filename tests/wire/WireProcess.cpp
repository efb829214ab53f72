#include "tests/wire/WireProcess.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace iscsim::wire::testing {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPoll{20};
// `iscsim serve` prints where it listens at once; a loaded CI machine under ASan may be slow.
constexpr std::chrono::seconds kServeStartLimit{20};
constexpr std::chrono::seconds kTgtStartLimit{20};
constexpr std::chrono::seconds kAdminLimit{20};
// tgtd -C N names its control socket; one per test process, N below tgtd's limit of 32768.
constexpr int kTgtControlBase = 20000;
constexpr int kTgtControlSpan = 12000;
constexpr const char* kTgtLunBytes = "16M";

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "wire";
  for (char& c : name)
    if (c == '/') c = '_';
  const auto dir = std::filesystem::path(::testing::TempDir()) / "iscsim-wire" / name;
  std::filesystem::create_directories(dir);
  return dir.string();
}

bool have_program(const std::string& name) {
  return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0;
}

std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

Shell run_shell(const std::string& command, std::chrono::seconds limit) {
  const std::string full = "timeout -k 5 " + std::to_string(limit.count()) + " sh -c " + quoted(command) + " 2>&1";
  Shell r;
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (r.exit_code == 124 || r.exit_code == 137) r.exit_code = -1;  // timeout(1): time limit
  return r;
}

Child::Child(const std::vector<std::string>& argv, const std::string& log) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  out_ = pipe_fds[0];
}

Child::~Child() {
  if (pid_ > 0 && running()) stop(SIGKILL, std::chrono::seconds(5));
  if (out_ >= 0) ::close(out_);
}

std::string Child::read_line(std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (pending_.find('\n') == std::string::npos && Clock::now() < deadline) {
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(kPoll.count())) <= 0) continue;
    char buf[512];
    const ssize_t n = ::read(out_, buf, sizeof buf);
    if (n <= 0) break;
    pending_.append(buf, static_cast<std::size_t>(n));
  }
  const auto nl = pending_.find('\n');
  if (nl == std::string::npos) return "";
  std::string line = pending_.substr(0, nl);
  pending_.erase(0, nl + 1);
  return line;
}

bool Child::running() {
  if (reaped_ || pid_ <= 0) return false;
  if (::waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

int Child::stop(int signal, std::chrono::milliseconds limit) {
  if (running()) ::kill(pid_, signal);
  const auto deadline = Clock::now() + limit;
  while (running() && Clock::now() < deadline) std::this_thread::sleep_for(kPoll);
  if (running()) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status_, 0);
    reaped_ = true;
    return -1;
  }
  return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

ServeProcess::ServeProcess(const std::string& target_name, const std::vector<std::string>& extra)
    : target_(target_name),
      log_(scratch_dir() + "/serve.log"),
      child_([&] {
        std::vector<std::string> argv{ISCSIM_BINARY, "serve", "--listen", "127.0.0.1:0", "--target-name", target_name,
                                      "--lun-size", "64M", "--verbose"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
      }(), log_) {
  // "iscsim serve: listening on 127.0.0.1:PORT, ..."
  const std::string line = child_.read_line(kServeStartLimit);
  const auto at = line.find("127.0.0.1:");
  if (at != std::string::npos) port_ = static_cast<std::uint16_t>(std::stoi(line.substr(at + 10)));
}

std::string ServeProcess::url(const std::string& credentials, const std::string& query) const {
  return "iscsi://" + (credentials.empty() ? "" : credentials + "@") + portal() + "/" + target_ + "/0" + query;
}

TgtDaemon::TgtDaemon() {
  if (!have_program("tgtd") || !have_program("tgtadm")) {
    why_not_ = "tgtd/tgtadm not installed (Debian package tgt; scripts/install-deps.sh installs it)";
    return;
  }
  std::error_code ec;
  std::filesystem::create_directories("/var/run/tgtd", ec);  // tgtd's control socket lives here
  control_port_ = kTgtControlBase + static_cast<int>(::getpid()) % kTgtControlSpan;
  port_ = free_port();
  const std::string dir = scratch_dir();
  log_ = dir + "/tgtd.log";
  // RAM-backed: /dev/shm is a tmpfs; the scratch directory if it is missing.
  const std::string base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : dir;
  backing_ = base + "/iscsim-tgt-" + std::to_string(::getpid()) + ".img";
  if (run_shell("truncate -s " + std::string(kTgtLunBytes) + " " + backing_, kAdminLimit).exit_code != 0) {
    why_not_ = "cannot create " + backing_;
    return;
  }
  const std::string tgtd = run_shell("command -v tgtd", kAdminLimit).output;
  child_ = std::make_unique<Child>(
      std::vector<std::string>{tgtd.substr(0, tgtd.find('\n')), "-f", "-C", std::to_string(control_port_), "--iscsi",
                               "portal=127.0.0.1:" + std::to_string(port_)},
      log_);
  const auto deadline = Clock::now() + kTgtStartLimit;
  while (Clock::now() < deadline && child_->running()) {
    if (admin("--op show --mode sys")) {
      ready_ = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  why_not_ = "tgtd did not start (see " + log_ + ")";
}

TgtDaemon::~TgtDaemon() {
  // tgtd ignores SIGTERM and SIGINT, and refuses to stop while it has targets: a test daemon
  // with nothing worth saving is simply killed.
  if (child_) child_->stop(SIGKILL, std::chrono::seconds(5));
  std::error_code ec;
  std::filesystem::remove(backing_, ec);
}

bool TgtDaemon::admin(const std::string& args) {
  return run_shell("tgtadm -C " + std::to_string(control_port_) + " --lld iscsi " + args + " >/dev/null", kAdminLimit)
             .exit_code == 0;
}

bool TgtDaemon::add_target(int tid, const std::string& iqn, const std::string& chap, const std::string& mutual) {
  const std::string t = " --tid " + std::to_string(tid);
  bool ok = admin("--op new --mode target" + t + " -T " + iqn) &&
            admin("--op new --mode logicalunit" + t + " --lun 1 -b " + backing_) &&
            admin("--op bind --mode target" + t + " -I ALL");
  const auto account = [&](const std::string& cred, const char* direction) {
    const auto colon = cred.find(':');
    const std::string user = cred.substr(0, colon);
    return admin("--op new --mode account --user " + user + " --password " + cred.substr(colon + 1)) &&
           admin("--op bind --mode account" + t + " --user " + user + direction);
  };
  if (ok && !chap.empty()) ok = account(chap, "");
  if (ok && !mutual.empty()) ok = account(mutual, " --outgoing");
  return ok;
}

std::string TgtDaemon::url(const std::string& iqn, int lun, const std::string& credentials,
                           const std::string& query) const {
  return "iscsi://" + (credentials.empty() ? "" : credentials + "@") + "127.0.0.1:" + std::to_string(port_) + "/" +
         iqn + "/" + std::to_string(lun) + query;
}

}  // namespace iscsim::wire::testing
