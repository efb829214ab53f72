#pragma once
// The wire-mode subcommands (`serve`, `probe`): the simulator's iSCSI code on real sockets.
// Each returns the process exit status as the other commands do (Commands.hpp).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "sim/cli/Commands.hpp"
#include "sim/wire/Socket.hpp"

namespace iscsim::cli {

int serve_command(const std::vector<std::string>& args);
int probe_command(const std::vector<std::string>& args);

// Runs `body`, mapping each failure class to its exit status and one message on stderr: bad
// options and unusable addresses are bad input, a network or peer failure is exit 1.
template <class Body>
int wire_guarded(const char* command, Body body) {
  try {
    return body();
  } catch (const boost::program_options::error& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << " (see iscsim " << command << " --help)\n";
    return kExitBadInput;
  } catch (const wire::BadWireInput& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const wire::WireError& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "iscsim " << command << ": internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace iscsim::cli
