// The sensitivity check's measure: how far one (workload, CPU, bin) cell moved between two
// sets of errors, matched by cell rather than by position.
#include <gtest/gtest.h>

#include "sim/calibration/Calibration.hpp"

namespace iscsim::calibration {
namespace {

BinError cell(const char* workload, int cpu, const char* bin, double pct, double clear_share, double miss_share) {
  BinError e;
  e.workload = workload;
  e.cpu = cpu;
  e.bin = bin;
  e.sim_pct = pct;
  e.sim_clear_share = clear_share;
  e.sim_miss_share = miss_share;
  return e;
}

TEST(CellMoves, EachCounterReportsTheCellThatMovedMostWhateverTheOrder) {
  const std::vector<BinError> from{cell("R", 0, "Driver", 8.0, 4.0, 10.0), cell("R", 1, "idle", 28.0, 8.0, 0.0),
                                   cell("W", 1, "Copies", 10.0, 3.0, 9.0)};
  const std::vector<BinError> to{cell("W", 1, "Copies", 10.5, 3.2, 11.5), cell("R", 1, "idle", 24.0, 8.5, 0.0),
                                 cell("R", 0, "Driver", 8.2, 1.0, 10.0)};
  const CellMoves m = largest_moves(from, to);
  EXPECT_DOUBLE_EQ(m.pct, 4.0);
  EXPECT_EQ(m.pct_cell, "R 1 idle");
  EXPECT_DOUBLE_EQ(m.clear_share, 3.0);
  EXPECT_EQ(m.clear_cell, "R 0 Driver");
  EXPECT_DOUBLE_EQ(m.miss_share, 2.5);
  EXPECT_EQ(m.miss_cell, "W 1 Copies");
}

TEST(CellMoves, ACellOnlyOneSideHasIsNotAMove) {
  const CellMoves m = largest_moves({cell("R", 0, "TCP", 20.0, 10.0, 5.0)}, {cell("W", 0, "TCP", 40.0, 30.0, 25.0)});
  EXPECT_DOUBLE_EQ(m.pct, 0);
  EXPECT_TRUE(m.pct_cell.empty());
}

}  // namespace
}  // namespace iscsim::calibration
