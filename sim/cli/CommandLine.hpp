#pragma once
// Parsing a command's words with Boost.Program_options the same way in every command: the options
// it shows in --help, at most one kind of positional argument, and --help answered by printing
// them. Header-only, so wire-mode commands use it without the simulator's libraries.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace iscsim::cli {

// The parsed options, or nothing when --help was asked for (then the help is already printed).
// `positional` names the option that takes the bare words, at most `max_positional` of them
// (-1: any number); empty when the command takes none.
inline std::optional<boost::program_options::variables_map> parse_or_help(
    const std::vector<std::string>& args, const boost::program_options::options_description& visible,
    const std::string& positional = "", int max_positional = 1) {
  namespace po = boost::program_options;
  po::options_description all;
  all.add(visible);
  po::positional_options_description pos;
  if (!positional.empty()) {
    if (max_positional == 1)
      all.add_options()(positional.c_str(), po::value<std::string>());
    else
      all.add_options()(positional.c_str(), po::value<std::vector<std::string>>());
    pos.add(positional.c_str(), max_positional);
  }
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << visible;
    return std::nullopt;
  }
  return vm;
}

}  // namespace iscsim::cli
