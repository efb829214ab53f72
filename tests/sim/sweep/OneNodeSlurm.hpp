#pragma once
// A real one-node Slurm (munged, slurmctld, slurmd) living in a temporary directory of its own
// (short: Slurm's step sockets live under it and a socket path has at most 108 bytes): its own
// munge key and socket, free ports, state and logs there. The daemons run in the foreground as
// this process's children, so the destructor signals exactly them, reaps them and removes the
// directory.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../e2e/RunIscsim.hpp"

namespace iscsim::testing {

class OneNodeSlurm {
 public:
  OneNodeSlurm() {
    char tmpl[] = "/tmp/iscsim-slurm-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      why_not_ = "cannot create a temporary directory";
      return;
    }
    dir_ = tmpl;
    start();
  }
  ~OneNodeSlurm() {
    if (dir_.empty()) return;
    stop();
    std::filesystem::remove_all(dir_);
  }
  OneNodeSlurm(const OneNodeSlurm&) = delete;
  OneNodeSlurm& operator=(const OneNodeSlurm&) = delete;

  bool up() const { return why_not_.empty(); }
  // Why the cluster is not up, with the end of the daemons' logs.
  const std::string& why_not() const { return why_not_; }

 private:
  // munge wants at least 32 bytes of key; 1 KiB is what mungekey writes.
  static constexpr std::size_t kMungeKeyBytes = 1024;
  static constexpr auto kStartTimeout = std::chrono::seconds(15);
  static constexpr auto kStopGrace = std::chrono::seconds(10);

  static bool have(const std::string& tool) { return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0; }

  // A port nobody listens on now (the kernel's choice for a socket bound to port 0).
  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void give_up(const std::string& reason) {
    why_not_ = reason;
    for (const char* log : {"munged.log", "munged.out", "slurmctld.log", "slurmd.log"})
      if (std::filesystem::exists(dir_ / log)) why_not_ += "\n--- " + std::string(log) + ":\n" + shell("tail -n 5 " + path(log));
  }

  void start() {
    for (const char* tool : {"munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo"})
      if (!have(tool)) return give_up(std::string(tool) + " is not installed (scripts/install-deps.sh installs Slurm)");
    std::filesystem::create_directories(dir_ / "state");
    std::filesystem::create_directories(dir_ / "spool");
    {
      std::ifstream random("/dev/urandom", std::ios::binary);
      std::string key(kMungeKeyBytes, '\0');
      random.read(key.data(), static_cast<std::streamsize>(key.size()));
      std::ofstream(path("munge.key"), std::ios::binary) << key;
      std::filesystem::permissions(path("munge.key"), std::filesystem::perms::owner_read);
    }
    // -f: munged otherwise refuses a socket directory that is not world-readable.
    spawn({"munged", "-F", "-f", "--key-file=" + path("munge.key"), "--socket=" + path("munge.sock"),
           "--pid-file=" + path("munged.pid"), "--log-file=" + path("munged.log"), "--seed-file=" + path("munged.seed")},
          "munged.out");
    const auto munge_deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (!std::filesystem::exists(path("munge.sock")) && std::chrono::steady_clock::now() < munge_deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (!std::filesystem::exists(path("munge.sock"))) return give_up("munged did not open its socket");

    std::string host = shell("hostname -s");
    host = host.substr(0, host.find('\n'));
    const passwd* user = ::getpwuid(::geteuid());
    const std::string name = user ? user->pw_name : "root";
    const unsigned cpus = std::max(1U, std::thread::hardware_concurrency());
    std::ofstream(path("slurm.conf"))
        << "ClusterName=iscsimtest\nSlurmctldHost=" << host << "\nSlurmUser=" << name << "\nSlurmdUser=" << name
        << "\nSlurmctldPort=" << free_port() << "\nSlurmdPort=" << free_port()
        << "\nAuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=" << path("munge.sock")
        << "\nStateSaveLocation=" << path("state") << "\nSlurmdSpoolDir=" << path("spool") << "/slurmd-%n"
        << "\nSlurmctldPidFile=" << path("slurmctld.pid") << "\nSlurmdPidFile=" << path("slurmd.pid")
        << "\nSlurmctldLogFile=" << path("slurmctld.log") << "\nSlurmdLogFile=" << path("slurmd.log")
        << "\nProctrackType=proctrack/pgid\nTaskPlugin=task/none\nSelectType=select/cons_tres\n"
           "SelectTypeParameters=CR_Core\nSchedulerType=sched/backfill\n"
           "SchedulerParameters=batch_sched_delay=0,sched_min_interval=0\nJobAcctGatherType=jobacct_gather/none\n"
           "AccountingStorageType=accounting_storage/none\nJobCompType=jobcomp/none\nMpiDefault=none\n"
           "ReturnToService=2\nMinJobAge=300\nKillWait=5\n"
        << "NodeName=" << host << " NodeAddr=127.0.0.1 CPUs=" << cpus << " State=UNKNOWN\n"
        << "PartitionName=debug Nodes=" << host << " Default=YES MaxTime=INFINITE State=UP\n";
    ::setenv("SLURM_CONF", path("slurm.conf").c_str(), 1);
    spawn({"slurmctld", "-D", "-i", "-f", path("slurm.conf")}, "slurmctld.out");
    spawn({"slurmd", "-D", "-f", path("slurm.conf")}, "slurmd.out");
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (shell("sinfo -h -o %t 2>/dev/null") == "idle\n") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    give_up("the node did not become idle within 15 s (a busy port shows in the logs)");
  }

  // Starts a daemon in the foreground, its output into `log`.
  void spawn(std::vector<std::string> words, const std::string& log) {
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const std::string out = path(log);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execvp(argv[0], argv.data());
      ::_exit(127);
    }
    if (pid > 0) daemons_.push_back(pid);
  }

  void stop() {
    // Together: one after another takes several seconds each.
    for (pid_t pid : daemons_) ::kill(pid, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + kStopGrace;
    std::vector<pid_t> left = daemons_;
    while (!left.empty()) {
      left.erase(std::remove_if(left.begin(), left.end(), [](pid_t pid) { return ::waitpid(pid, nullptr, WNOHANG) != 0; }),
                 left.end());
      if (std::chrono::steady_clock::now() > deadline)
        for (pid_t pid : left) ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    daemons_.clear();
    ::unsetenv("SLURM_CONF");
  }

  std::filesystem::path dir_;
  std::vector<pid_t> daemons_;
  std::string why_not_;
};

}  // namespace iscsim::testing
