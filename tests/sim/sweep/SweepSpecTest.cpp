// Sweep files: the grid, zipped groups and constraints expand to the right points with stable
// ids; a bad file is refused naming its key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/sweep/Constraint.hpp"
#include "sim/sweep/Expansion.hpp"
#include "sim/sweep/SweepSpec.hpp"

namespace iscsim::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string write_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::path(::testing::TempDir()) / "iscsim-sweep-spec";
  fs::create_directories(dir);
  const fs::path file = dir / (name + ".json");
  std::ofstream(file) << text;
  return file.string();
}

// A sweep file over the repository's 64 KB SMP write scenario with `body` as its other keys.
std::string spec_file(const std::string& name, const std::string& body) {
  return write_file(name, std::string(R"({"scenario": ")") + ISCSIM_SOURCE_DIR + R"(/scenarios/paper/smp-write-64k.json", )" +
                              body + "}");
}

std::vector<Point> points_of(const std::string& name, const std::string& body) {
  return expand(load_sweep_spec(spec_file(name, body)));
}

// The SpecError's "FILE: PATH: message", or "" when the file is accepted.
std::string refusal(const std::string& name, const std::string& body) {
  try {
    const SweepSpec spec = load_sweep_spec(spec_file(name, body));
    check_points(spec, expand(spec));
  } catch (const SpecError& e) {
    return e.what();
  }
  return "";
}

json value(const Point& p, const std::string& key) {
  for (const auto& [k, v] : p.axes)
    if (k == key) return v;
  return nullptr;
}

TEST(SweepSpec, GridIsTheCartesianProductWithTheFirstAxisSlowest) {
  const auto points = points_of("grid", R"("grid": {"workload.op": ["read", "write"], "host.cpu.frequency_ghz": [1.6, 2.4, 3.2]})");
  ASSERT_EQ(points.size(), 6u);
  EXPECT_EQ(value(points[0], "workload.op"), "read");
  EXPECT_EQ(value(points[2], "workload.op"), "read");
  EXPECT_EQ(value(points[3], "workload.op"), "write");
  EXPECT_EQ(value(points[1], "host.cpu.frequency_ghz"), 2.4);
  EXPECT_EQ(points[4].overrides, (std::vector<std::string>{"workload.op=\"write\"", "host.cpu.frequency_ghz=2.4"}));
}

TEST(SweepSpec, ZippedKeysVaryTogetherAndFixedOverridesComeFirst) {
  const auto points = points_of(
      "zip", R"("set": {"run.duration_s": 0.02}, "grid": {"run.seed": [1, 2]}, "zip": {"host.cores": [2, 4], "host.ppes": [1, 3]})");
  ASSERT_EQ(points.size(), 4u);
  for (const Point& p : points) {
    EXPECT_EQ(value(p, "host.ppes").get<int>() + 1, value(p, "host.cores").get<int>());
    EXPECT_EQ(p.overrides.front(), "run.duration_s=0.02");
  }
}

TEST(SweepSpec, ConstraintsDropCombinations) {
  const auto points = points_of("constraint", R"("grid": {"host.cores": [2, 3, 4], "host.ppes": [1, 2, 3]},
      "constraints": ["host.ppes < host.cores"])");
  EXPECT_EQ(points.size(), 6u);  // 3 + 2 + 1 below the diagonal
  for (const Point& p : points) EXPECT_LT(value(p, "host.ppes"), value(p, "host.cores"));

  const auto mixed = points_of("or", R"js("grid": {"host.architecture": ["smp", "amp"], "host.cores": [2, 4], "host.ppes": [1, 3]},
      "constraints": ["host.architecture == 'smp' and host.ppes == 1 or (host.architecture == \"amp\" and host.ppes < host.cores)"])js");
  // smp keeps ppes 1 at both core counts; amp keeps (2,1), (4,1), (4,3).
  EXPECT_EQ(mixed.size(), 5u);
}

TEST(SweepSpec, ConstraintLanguage) {
  const std::vector<std::string> keys{"a", "b.c"};
  const json a = 2, bc = "x";
  const Constraint::Lookup look = [&](const std::string& k) -> const json& { return k == "a" ? a : bc; };
  EXPECT_TRUE(Constraint::parse("a >= 2 and a <= 2.0", keys).holds(look));
  EXPECT_TRUE(Constraint::parse("a > 5 or b.c != 'y'", keys).holds(look));
  EXPECT_FALSE(Constraint::parse("(a > 5 or b.c == 'y') and a == 2", keys).holds(look));
  EXPECT_TRUE(Constraint::parse("-1 < a", keys).holds(look));
  EXPECT_THROW(Constraint::parse("a <", keys), ConstraintError);
  EXPECT_THROW(Constraint::parse("a = 2", keys), ConstraintError);
  EXPECT_THROW(Constraint::parse("d < 2", keys), ConstraintError);
  EXPECT_THROW(Constraint::parse("(a < 2", keys), ConstraintError);
  EXPECT_THROW(Constraint::parse("b.c < 'z'", keys).holds(look), ConstraintError);
}

TEST(SweepSpec, IdsAreStableAndIndependentOfKeyOrder) {
  // Pinned: a changed id would make an existing sweep directory re-run every point.
  EXPECT_EQ(point_id({{"host.cpu.frequency_ghz", 2.0}}), "frequency_ghz=2.0_2dca8799");
  EXPECT_EQ(point_id({{"run.seed", 1}}), "seed=1_2b0b8f2b");
  const auto ab = points_of("ab", R"("grid": {"workload.op": ["read"], "run.seed": [7]})");
  const auto ba = points_of("ba", R"("grid": {"run.seed": [7], "workload.op": ["read"]})");
  EXPECT_EQ(ab[0].id.substr(ab[0].id.rfind('_')), ba[0].id.substr(ba[0].id.rfind('_')));
  EXPECT_NE(point_id({{"run.seed", 1}}), point_id({{"run.seed", 2}}));
  EXPECT_NE(point_id({{"a.x", 1}}), point_id({{"b.x", 1}}));  // same readable part, different keys
  EXPECT_EQ(point_id({}), "base");
}

TEST(SweepSpec, BadFilesAreRefusedNamingTheKey) {
  EXPECT_NE(refusal("top", R"("axes": {})").find(": axes: unknown key; allowed keys:"), std::string::npos);
  EXPECT_NE(refusal("empty", R"("grid": {"run.seed": []})").find(": grid.run.seed: expected a non-empty array"), std::string::npos);
  EXPECT_NE(refusal("twice", R"("grid": {"run.seed": [1, 1]})").find(": grid.run.seed: value 1 appears twice"), std::string::npos);
  EXPECT_NE(refusal("dup", R"("set": {"run.seed": 1}, "grid": {"run.seed": [2]})").find("already given at set.run.seed"),
            std::string::npos);
  EXPECT_NE(refusal("ziplen", R"("zip": [{"host.cores": [2, 4], "host.ppes": [1]}])").find(": zip[0].host.ppes: has 1 values"),
            std::string::npos);
  EXPECT_NE(refusal("cons", R"("grid": {"run.seed": [1]}, "constraints": ["host.ppes < 2"])").find(": constraints[0]:"),
            std::string::npos);
  EXPECT_NE(refusal("none", R"("grid": {"run.seed": [1]}, "constraints": ["run.seed > 1"])").find("no combination"),
            std::string::npos);
  // Values are checked as the scenario checks them, and the sweep file's key is named.
  const std::string range = refusal("range", R"("grid": {"host.cpu.frequency_ghz": [2.4, 11]})");
  EXPECT_NE(range.find(": grid.host.cpu.frequency_ghz: point "), std::string::npos) << range;
  EXPECT_NE(range.find("at most 10"), std::string::npos) << range;
  const std::string unknown = refusal("unknown", R"("grid": {"host.cpu.frequncy_ghz": [2.4]})");
  EXPECT_NE(unknown.find("grid.host.cpu.frequncy_ghz"), std::string::npos) << unknown;
  try {
    load_sweep_spec(write_file("base", R"({"scenario": "nope.json"})"));
    ADD_FAILURE() << "a missing base scenario was accepted";
  } catch (const SpecError& e) {
    EXPECT_NE(std::string(e.what()).find(": scenario: "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace iscsim::sweep
