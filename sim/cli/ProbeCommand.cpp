// `iscsim probe`: the simulator's iSCSI initiator session code against a real target.
#include <iostream>

#include <boost/program_options.hpp>

#include "sim/cli/CommandLine.hpp"
#include "sim/cli/WireCommands.hpp"
#include "sim/wire/CliValues.hpp"
#include "sim/wire/InitiatorClient.hpp"
#include "sim/stack/scsi/Lun.hpp"
#include "sim/wire/Probe.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

int probe_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim probe iscsi://[USER%SECRET@]HOST[:PORT]/IQN/LUN[?target_user=U&target_password=P]\n"
      "Logs in to a real iSCSI target with the simulator's initiator code, runs INQUIRY and READ\n"
      "CAPACITY, writes a fresh pattern in the middle of the LUN, reads it back and compares, writes\n"
      "the previous contents back, logs out, and prints what it found. USER%SECRET: CHAP;\n"
      "target_user/target_password: mutual CHAP (the URL form of libiscsi).\n"
      "Exit status: 0 pattern verified, 1 anything else (login refused, network or SCSI failure,\n"
      "mismatch, or no pattern tested: absent LUN, not a block device), 2 bad input.\noptions");
  desc.add_options()("help,h", "this text")(
      "initiator-name", po::value<std::string>()->default_value(wire::ProbeOptions{}.initiator_name),
      "our iSCSI name")(
      "pattern-size", po::value<std::string>()->default_value(std::to_string(wire::kDefaultPatternBytes)),
      "bytes to write and read back (K, M suffixes allowed)")(
      "timeout", po::value<double>()->default_value(std::chrono::duration<double>(wire::kDefaultProbeTimeout).count()),
      "seconds to wait for each step");
  return wire_guarded("probe", [&] {
    const auto parsed = parse_or_help(args, desc, "url");
    if (!parsed) return kExitOk;
    const po::variables_map& vm = *parsed;
    if (!vm.count("url")) throw po::error("an iscsi:// URL is required");
    const wire::IscsiUrl url = wire::parse_iscsi_url(vm["url"].as<std::string>());
    wire::ProbeOptions o;
    o.initiator_name = vm["initiator-name"].as<std::string>();
    const std::uint64_t pattern = wire::parse_byte_size(vm["pattern-size"].as<std::string>());
    if (pattern == 0 || pattern > stack::scsi::kMaxTransferBytes)
      throw po::error("--pattern-size must be between 1 byte and " + std::to_string(stack::scsi::kMaxTransferBytes));
    o.pattern_bytes = static_cast<std::uint32_t>(pattern);
    const double timeout_s = vm["timeout"].as<double>();
    if (!(timeout_s > 0)) throw po::error("--timeout must be positive");
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::duration<double>(timeout_s));
    try {
      const wire::ProbeReport r = wire::run_probe(url, o);
      wire::print_probe(std::cout, url, r);
      return r.pattern_verified ? kExitOk : kExitInternal;
    } catch (const wire::LoginRefused& e) {
      std::cerr << "iscsim probe: " << url.portal.to_string() << " " << url.target_name << ": " << e.what() << "\n";
      return kExitInternal;
    }
  });
}

}  // namespace iscsim::cli
