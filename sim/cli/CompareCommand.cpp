// `iscsim compare BASE OTHER`: the paper's Table 2 between two runs.
#include <iostream>

#include <boost/program_options.hpp>

#include "sim/cli/CommandLine.hpp"
#include "sim/cli/CommandGuard.hpp"
#include "sim/cli/Commands.hpp"
#include "sim/compare/CompareReport.hpp"
#include "sim/compare/Comparison.hpp"
#include "sim/compare/RunResults.hpp"
#include "sim/results/OutputDir.hpp"

namespace iscsim::cli {

namespace po = boost::program_options;

namespace {


std::string default_output_dir(const compare::RunResults& base, const compare::RunResults& other) {
  return "out/compare-" + base.label + "-vs-" + other.label;
}

// Compares the two runs and writes DIR/compare.json and DIR/compare.csv.
int compare_and_write(const std::vector<std::string>& runs, const po::variables_map& vm) {
  if (runs.size() != 2)
    throw po::error("expected two runs, BASE and OTHER (run directories or results.json files), found " +
                    std::to_string(runs.size()));
  const compare::RunResults base = compare::load_run_results(runs[0]);
  const compare::RunResults other = compare::load_run_results(runs[1]);
  const compare::Comparison c = compare::compare_runs(base, other);
  const std::string out_dir = vm.count("output") ? vm["output"].as<std::string>() : default_output_dir(base, other);

  results::OutputPlan plan;
  plan.add_directory("-o", out_dir);
  results::StagedOutput out(plan);
  out.write(out_dir + "/compare.json", compare::comparison_json(c).dump(results::kJsonIndent) + "\n");
  out.write(out_dir + "/compare.csv", compare::comparison_csv(c));
  out.commit();
  std::cout << compare::comparison_text(c) << "wrote " << out_dir << "/compare.json, compare.csv\n";
  return kExitOk;
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  po::options_description desc(
      "usage: iscsim compare BASE OTHER [-o DIR]\n"
      "The paper's Table 2 between two runs: per bin, the improvement of OTHER over BASE in cycles,\n"
      "L2 misses and machine clears, (bin_BASE / total_BASE) x (1 - bin_OTHER / bin_BASE) over all CPUs\n"
      "summed with idle in total_BASE; then throughput, %CPU and GHz/Gbps side by side. BASE and OTHER\n"
      "are run directories or results.json files of the same workload (op, request size) and CPU\n"
      "frequency. Writes DIR/compare.json and DIR/compare.csv.\noptions");
  desc.add_options()("help,h", "this text")(
      "output,o", po::value<std::string>(),
      "output directory, replaced whole if iscsim wrote it (default: out/compare-<BASE>-vs-<OTHER>, each named by "
      "its run directory)");
  return guarded("compare", [&] {
    const auto parsed = parse_or_help(args, desc, "runs", -1);
    if (!parsed) return kExitOk;
    const po::variables_map& vm = *parsed;
    try {
      return compare_and_write(vm.count("runs") ? vm["runs"].as<std::vector<std::string>>() : std::vector<std::string>{},
                               vm);
    } catch (const compare::CompareInputError& e) {  // a run that is missing, malformed or incomparable
      std::cerr << "iscsim compare: " << e.what() << "\n";
      return kExitBadInput;
    }
  });
}

}  // namespace iscsim::cli
