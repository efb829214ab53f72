#pragma once
// The sweep's tables, built from what its directory holds (so a local run, an interrupted one
// and a Slurm gather write the same tables from the same points):
//   sweep.csv          one row per point: id, axis values, summary metrics, status, run_info.*
//   sweep-bins.csv     point,cpu,role,bin,counter,value from every completed point's bins.csv
//   sweep-summary.csv  points that differ only in run.seed aggregated: mean, min, max
//   failures.csv       point,exit_status,error of every failed point
#include <cstddef>
#include <vector>

#include "sim/sweep/Expansion.hpp"
#include "sim/sweep/SweepDir.hpp"
#include "sim/sweep/SweepSpec.hpp"

namespace iscsim::sweep {

struct TableCounts {
  std::size_t ok = 0, failed = 0, not_run = 0;
};

// Writes the four tables into the sweep directory, each atomically.
TableCounts write_tables(const SweepSpec& spec, const std::vector<Point>& points, const SweepDir& dir);

}  // namespace iscsim::sweep
