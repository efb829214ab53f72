// `calibrate --seed-sets K` redoes the fit from K-1 further seed sets and prints each set's
// targets beside their sums; the catalog it writes is the first set's.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

// The numbers of a table row after its label: "a/b" fields give a, the rest as printed.
std::vector<double> row_numbers(const std::string& line) {
  std::istringstream in(line);
  std::string word;
  in >> word;  // the label
  std::vector<double> out;
  while (in >> word) out.push_back(std::stod(word.substr(0, word.find('/'))));
  return out;
}

TEST(CalibrateSeedSets, EachSetFollowsTheLastAndTheSumsAddThemUp) {
  const auto dir = scratch_dir("seed-sets");
  const std::string quick = " --no-checks --seeds 1 --iterations 1 --duration 0.02";
  const Invocation two = run_iscsim("calibrate" + quick + " --seed-sets 2 --out " + (dir / "two.json").string(), dir);
  ASSERT_EQ(two.exit_code, 0) << two.stderr_text;
  const Invocation one = run_iscsim("calibrate" + quick + " --out " + (dir / "one.json").string(), dir);
  ASSERT_EQ(one.exit_code, 0) << one.stderr_text;
  EXPECT_EQ(one.stdout_text.find("seed sets:"), std::string::npos);
  // The written catalog is the first set's: the same as without the further sets.
  EXPECT_EQ(read_json(dir / "two.json"), read_json(dir / "one.json"));

  std::istringstream out(two.stdout_text);
  std::vector<std::vector<double>> sets;
  std::vector<double> sum;
  bool inside = false;
  for (std::string line; std::getline(out, line);) {
    if (line.rfind("seed sets:", 0) == 0) inside = true;
    if (!inside) continue;
    if (line.rfind("1..1 ", 0) == 0 || line.rfind("2..2 ", 0) == 0) sets.push_back(row_numbers(line));
    if (line.rfind("sum ", 0) == 0) sum = row_numbers(line);
  }
  ASSERT_EQ(sets.size(), 2u) << two.stdout_text;
  // A set's row: %CPU ok, worst, CPI ok, worst, clears ok, worst, misses ok, worst, beyond, bounds.
  ASSERT_EQ(sets[0].size(), 10u);
  ASSERT_EQ(sum.size(), 6u);
  const int counted[] = {0, 2, 4, 6, 8, 9};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(sum[i], sets[0][counted[i]] + sets[1][counted[i]]) << i;
}

}  // namespace
}  // namespace iscsim::testing
