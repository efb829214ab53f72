// `iscsim serve`: the simulator's iSCSI target session code behind a real listening socket.
#include <csignal>
#include <iostream>

#include <boost/program_options.hpp>

#include "sim/cli/CommandLine.hpp"
#include "sim/cli/WireCommands.hpp"
#include "sim/wire/CliValues.hpp"
#include "sim/wire/TargetServer.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

// MaxRecvDataSegmentLength's range (RFC 7143 section 13.12).
constexpr std::uint32_t kMinRecvDataSegment = 512;
constexpr std::uint32_t kMaxRecvDataSegment = (1u << 24) - 1;

// The server a SIGINT or SIGTERM stops; set while run() is serving.
wire::TargetServer* g_server = nullptr;

extern "C" void on_stop_signal(int) {
  if (g_server) g_server->request_stop();
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a peer that vanished is an error return, not a death
}

}  // namespace

int serve_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim serve --listen HOST:PORT --target-name IQN --lun-size SIZE [--chap USER:SECRET]\n"
      "Serves an iSCSI target on real TCP sockets: LUN 0 is a RAM disk of SIZE bytes, run by the\n"
      "simulator's own iSCSI and SCSI code. Prints the address it listens on, then serves until\n"
      "SIGINT or SIGTERM.\noptions");
  desc.add_options()("help,h", "this text")(
      "listen", po::value<std::string>(), "address to listen on, e.g. 127.0.0.1:3260 (port 0: any free port)")(
      "target-name", po::value<std::string>(), "the target's iSCSI name, e.g. iqn.2004-01.org.iscsim:ramdisk")(
      "lun-size", po::value<std::string>(), "RAM disk size: bytes, or with K, M, G (64M, 1GiB)")(
      "chap", po::value<std::string>(), "require CHAP: initiators must log in as USER with SECRET")(
      "mutual-chap", po::value<std::string>(),
      "answer an initiator's mutual CHAP challenge as USER with SECRET (needs --chap)")(
      "max-sessions", po::value<std::size_t>()->default_value(wire::kDefaultMaxSessions),
      "connections served at once; more are refused with \"out of resources\"")(
      "login-timeout", po::value<double>()->default_value(
                           std::chrono::duration<double>(wire::kDefaultLoginTimeout).count()),
      "seconds a connection may take to log in")(
      "max-recv-data-segment", po::value<std::uint32_t>()->default_value(wire::kDefaultMaxRecvDataSegment),
      "largest data segment accepted in one PDU (MaxRecvDataSegmentLength)")(
      "verbose,v", "log each connection and why it ended on stderr");
  return wire_guarded("serve", [&] {
    const auto parsed = parse_or_help(args, desc);
    if (!parsed) return kExitOk;
    const po::variables_map& vm = *parsed;
    for (const char* required : {"listen", "target-name", "lun-size"})
      if (!vm.count(required)) throw po::error(std::string("--") + required + " is required");
    wire::ServerConfig cfg;
    cfg.listen = wire::parse_host_port(vm["listen"].as<std::string>(), wire::kIscsiPort);
    cfg.identity.target_name = vm["target-name"].as<std::string>();
    cfg.lun_bytes = wire::parse_byte_size(vm["lun-size"].as<std::string>());
    if (vm.count("chap")) cfg.identity.chap = wire::parse_chap_credential(vm["chap"].as<std::string>());
    if (vm.count("mutual-chap")) {
      if (!vm.count("chap")) throw po::error("--mutual-chap needs --chap");
      cfg.identity.mutual_chap = wire::parse_chap_credential(vm["mutual-chap"].as<std::string>());
    }
    cfg.max_sessions = vm["max-sessions"].as<std::size_t>();
    const double timeout_s = vm["login-timeout"].as<double>();
    if (cfg.max_sessions == 0) throw po::error("--max-sessions must be at least 1");
    if (!(timeout_s > 0)) throw po::error("--login-timeout must be positive");
    cfg.login_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(timeout_s));
    // A target supports digests and lets the initiator choose InitialR2T=No (a Boolean OR).
    cfg.prefs.header_digest = cfg.prefs.data_digest = true;
    cfg.prefs.initial_r2t = false;
    cfg.prefs.max_recv_data_segment_length = vm["max-recv-data-segment"].as<std::uint32_t>();
    if (cfg.prefs.max_recv_data_segment_length < kMinRecvDataSegment ||
        cfg.prefs.max_recv_data_segment_length > kMaxRecvDataSegment)
      throw po::error("--max-recv-data-segment must be between " + std::to_string(kMinRecvDataSegment) + " and " +
                      std::to_string(kMaxRecvDataSegment) + " (RFC 7143 section 13.12)");
    if (vm.count("verbose")) cfg.log = &std::cerr;

    wire::TargetServer server(cfg);
    std::cout << "iscsim serve: listening on " << wire::HostPort{cfg.listen.host, server.port()}.to_string()
              << ", target " << cfg.identity.target_name << ", LUN 0 of " << cfg.lun_bytes << " bytes"
              << (cfg.identity.chap.empty() ? "" : ", CHAP required") << std::endl;
    g_server = &server;
    install_stop_handlers();
    server.run();
    g_server = nullptr;
    std::cout << "iscsim serve: stopped after " << server.sessions_served() << " connections" << std::endl;
    return kExitOk;
  });
}

}  // namespace iscsim::cli
