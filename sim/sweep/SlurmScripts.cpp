#include "sim/sweep/SlurmScripts.hpp"

#include <algorithm>
#include <regex>
#include <stdexcept>

namespace iscsim::sweep {

namespace {

// Slurm's default MaxArraySize is 1001 (indices 0-1000); larger sweeps put several points in
// each task.
constexpr std::size_t kMaxArrayTasks = 1000;

// Single-quotes a word for sh.
std::string sh_quote(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string header_lines(const SlurmOptions& options) {
  std::string out;
  if (!options.partition.empty()) out += "#SBATCH --partition=" + options.partition + "\n";
  if (!options.time_limit.empty()) out += "#SBATCH --time=" + options.time_limit + "\n";
  return out;
}

}  // namespace

void check_slurm_options(const SlurmOptions& options, const std::string& dir) {
  if (!options.partition.empty() && !std::regex_match(options.partition, std::regex("[A-Za-z0-9_.-]+(,[A-Za-z0-9_.-]+)*")))
    throw std::invalid_argument("--partition " + options.partition +
                                ": expected partition names (letters, digits, '_', '.', '-') separated by commas");
  // sbatch --time formats: minutes, minutes:seconds, hours:minutes:seconds, days-hours,
  // days-hours:minutes, days-hours:minutes:seconds.
  static const std::regex time_format(R"(\d+(:\d+){0,2}|\d+-\d+(:\d+){0,2})");
  if (!options.time_limit.empty() && !std::regex_match(options.time_limit, time_format))
    throw std::invalid_argument("--time " + options.time_limit +
                                ": expected M, M:S, H:M:S, D-H, D-H:M or D-H:M:S as sbatch takes it");
  if (options.array_throttle < 0) throw std::invalid_argument("--array-throttle must be at least 1");
  // #SBATCH lines are not shell words: no quoting, and '%' starts an output-file pattern.
  if (dir.find_first_of(" \t\n'\"\\%") != std::string::npos)
    throw std::invalid_argument("-o " + dir + ": the Slurm scripts need a directory path without spaces, quotes, "
                                "backslashes or '%'");
}

std::size_t shard_count(std::size_t points) { return std::min(points, kMaxArrayTasks); }

SlurmScripts slurm_scripts(const SlurmJob& job, const SlurmOptions& options) {
  SlurmScripts s;
  s.tasks = shard_count(job.points);
  const std::string slurm_dir = job.dir + "/slurm";
  const std::string array_range =
      "0-" + std::to_string(s.tasks - 1) + (options.array_throttle > 0 ? "%" + std::to_string(options.array_throttle) : "");

  s.array_script = "#!/bin/sh\n"
                   "# Sweep " + job.name + ": task I of this array runs shard I/" + std::to_string(s.tasks) +
                   ", the points whose index\n# modulo " + std::to_string(s.tasks) +
                   " is I; a point already complete in the sweep directory is skipped.\n"
                   "#SBATCH --job-name=iscsim-" + job.name + "\n"
                   "#SBATCH --array=" + array_range + "\n"
                   "#SBATCH --ntasks=1\n"
                   "#SBATCH --cpus-per-task=1\n"
                   "#SBATCH --output=" + slurm_dir + "/shard-%A_%a.out\n" +
                   header_lines(options) +
                   "exec " + sh_quote(job.binary) + " sweep " + sh_quote(job.spec_path) + " --shard \"$SLURM_ARRAY_TASK_ID/" +
                   std::to_string(s.tasks) + "\" -j 1 -o " + sh_quote(job.dir) + "\n";

  s.gather_script = "#!/bin/sh\n"
                    "# Sweep " + job.name + ": writes the tables once every task of the array has ended.\n"
                    "#SBATCH --job-name=iscsim-" + job.name + "-gather\n"
                    "#SBATCH --ntasks=1\n"
                    "#SBATCH --cpus-per-task=1\n"
                    "#SBATCH --output=" + slurm_dir + "/gather-%j.out\n" +
                    header_lines(options) +
                    "exec " + sh_quote(job.binary) + " sweep " + sh_quote(job.spec_path) + " --gather -o " +
                    sh_quote(job.dir) + "\n";

  // afterany, not afterok: a failed or timed-out point must still leave the tables of the
  // others (its row says why); the gather job's own exit status then reports the failure.
  s.submit_script = "#!/bin/sh\n"
                    "# Submits sweep " + job.name + ": the job array, then the gather job after it.\n"
                    "set -eu\n"
                    "array=$(sbatch --parsable " + sh_quote(slurm_dir + "/sweep.sbatch") + ")\n"
                    "array=${array%%;*}\n"
                    "gather=$(sbatch --parsable --dependency=afterany:\"$array\" " +
                    sh_quote(slurm_dir + "/gather.sbatch") + ")\n"
                    "gather=${gather%%;*}\n"
                    "echo \"submitted array job $array (" + std::to_string(s.tasks) +
                    " tasks) and gather job $gather (after the array)\"\n";
  return s;
}

}  // namespace iscsim::sweep
