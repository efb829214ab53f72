#pragma once
// The Slurm form of a sweep: a job array whose tasks each run one shard
// (`iscsim sweep SPEC --shard I/N -o DIR`), a gather job that writes the tables once every
// task has ended, and submit.sh that submits both with the dependency between them.
#include <cstddef>
#include <string>

namespace iscsim::sweep {

// --partition, --time, --array-throttle as sbatch takes them; empty or 0: Slurm's default.
struct SlurmOptions {
  std::string partition;
  std::string time_limit;
  int array_throttle = 0;
};

struct SlurmJob {
  std::string binary;     // absolute path of the iscsim binary the tasks run
  std::string spec_path;  // absolute path of the sweep file
  std::string dir;        // absolute sweep directory
  std::string name;       // the sweep's name, for job names
  std::size_t points = 0;
};

struct SlurmScripts {
  std::size_t tasks = 0;  // array size, N of --shard I/N
  std::string array_script, gather_script, submit_script;
};

// Throws std::invalid_argument naming the option when a value is not one sbatch accepts, or
// when the directory holds characters an #SBATCH line cannot carry.
void check_slurm_options(const SlurmOptions& options, const std::string& dir);

// Array size: one task per point, up to Slurm's default MaxArraySize.
std::size_t shard_count(std::size_t points);

SlurmScripts slurm_scripts(const SlurmJob& job, const SlurmOptions& options);

}  // namespace iscsim::sweep
