#pragma once
// How a command's failures become exit statuses: bad input (an option, a scenario, an output
// path) is 2 with one message naming it, anything else is an internal error, 1.
#include <iostream>

#include <boost/program_options/errors.hpp>

#include "models/common/ParamSet.hpp"
#include "sim/cli/Commands.hpp"
#include "sim/results/OutputDir.hpp"
#include "sim/run/Run.hpp"
#include "sim/scenario/ScenarioError.hpp"

namespace iscsim::cli {

// Runs `body` (returning an exit status), mapping each failure class to its exit status and one
// message on stderr that starts with "iscsim COMMAND: ".
template <class Body>
int guarded(const char* command, Body body) {
  try {
    return body();
  } catch (const boost::program_options::error& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << " (see iscsim " << command << " --help)\n";
    return kExitBadInput;
  } catch (const scenario::ScenarioError& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const run::UnsupportedScenario& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const results::OutputPathError& e) {
    std::cerr << "iscsim " << command << ": " << e.what() << "\n";
    return kExitBadInput;
  } catch (const models::ParamError& e) {
    std::cerr << "iscsim " << command << ": bad parameter file: " << e.what() << "\n";
    return kExitInternal;
  } catch (const std::exception& e) {
    std::cerr << "iscsim " << command << ": internal error: " << e.what() << "\n";
    return kExitInternal;
  }
}

}  // namespace iscsim::cli
