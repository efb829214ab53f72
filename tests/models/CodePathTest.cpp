// The code-path catalog's parsing: what a sourced value's cycles stand for (compute alone or the
// whole path) and a path's fixed costs per call are read, checked and written back, and every
// shipped catalog states the first.
#include <gtest/gtest.h>

#include <fstream>
#include <initializer_list>
#include <string>

#include "models/common/ParamSet.hpp"
#include "models/cpu/CodePath.hpp"

namespace iscsim::models {
namespace {

nlohmann::json one_path(const std::string& sourced_cycles_entry) {
  return nlohmann::json::parse(R"({"paths": {"p": {"bin": "TCP", )" + sourced_cycles_entry + R"(
    "instr_per_call": {"value": 100, "min": 25, "max": 400, "source": "test"},
    "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "test"},
    "cpi": {"value": 2, "min": 1, "max": 30, "source": "test"},
    "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "test"}}}})");
}

// Each entry of `bad` is refused with an error that names the catalog and `paths.p.<key>`.
void expect_refused(std::initializer_list<const char*> bad, const std::string& key) {
  for (const char* entry : bad) {
    try {
      CodePathCatalog::parse(one_path(entry), "cat.json");
      ADD_FAILURE() << "accepted " << entry;
    } catch (const ParamError& e) {
      EXPECT_NE(std::string(e.what()).find("cat.json: paths.p." + key), std::string::npos) << e.what();
    }
  }
}

TEST(CodePath, SourcedCyclesAreReadAndWrittenBack) {
  const CodePathCatalog total = CodePathCatalog::parse(one_path(R"("sourced_cycles": "total",)"), "test");
  EXPECT_EQ(total[0].sourced_cycles, SourcedCycles::Total);
  EXPECT_EQ(total.to_json()["paths"]["p"]["sourced_cycles"], "total");
  const CodePathCatalog core = CodePathCatalog::parse(one_path(R"("sourced_cycles": "core",)"), "test");
  EXPECT_EQ(core[0].sourced_cycles, SourcedCycles::Core);
  EXPECT_EQ(CodePathCatalog::parse(core.to_json(), "again")[0].sourced_cycles, SourcedCycles::Core);
}

TEST(CodePath, AnUnknownSourcedCyclesKindNamesTheAllowedOnes) {
  try {
    CodePathCatalog::parse(one_path(R"("sourced_cycles": "stalls",)"), "cat.json");
    FAIL() << "accepted an unknown kind";
  } catch (const ParamError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cat.json: paths.p.sourced_cycles"), std::string::npos) << what;
    EXPECT_NE(what.find("\"core\""), std::string::npos) << what;
    EXPECT_NE(what.find("\"total\""), std::string::npos) << what;
  }
}

TEST(CodePath, FixedCostsPerCallAreReadCheckedAndWrittenBack) {
  const CodePathCatalog c = CodePathCatalog::parse(
      one_path(R"("traps": {"per_call": 1, "source": "entry.S"}, "mmio": {"reads": 1, "source": "e1000"},)"), "test");
  EXPECT_DOUBLE_EQ(c[0].traps, 1);
  EXPECT_DOUBLE_EQ(c[0].mmio_reads, 1);
  EXPECT_DOUBLE_EQ(c[0].mmio_writes, 0);
  const nlohmann::json back = c.to_json()["paths"]["p"];
  EXPECT_EQ(back["traps"]["per_call"], 1);
  EXPECT_EQ(back["traps"]["source"], "entry.S");
  EXPECT_DOUBLE_EQ(CodePathCatalog::parse(c.to_json(), "again")[0].traps, 1);
  EXPECT_DOUBLE_EQ(CodePathCatalog::parse(one_path(""), "test")[0].traps, 0);
  expect_refused({R"("traps": {"per_call": 1},)", R"("traps": {"per_call": -1, "source": "x"},)",
                  R"("traps": {"count": 1, "source": "x"},)", R"("traps": 1,)", R"("traps": {"source": "x"},)"},
                 "traps");
}

TEST(CodePath, LockedOperationsPerCallAndPerByteAreReadCheckedAndWrittenBack) {
  const CodePathCatalog c = CodePathCatalog::parse(
      one_path(R"("locked_ops": {"per_call": 3, "per_byte": 0.5, "source": "dev.c"},)"), "test");
  EXPECT_DOUBLE_EQ(c[0].locked_ops, 3);
  EXPECT_DOUBLE_EQ(c[0].locked_ops_per_byte, 0.5);
  const CodePathCatalog again = CodePathCatalog::parse(c.to_json(), "again");
  EXPECT_DOUBLE_EQ(again[0].locked_ops, 3);
  EXPECT_DOUBLE_EQ(again[0].locked_ops_per_byte, 0.5);
  EXPECT_EQ(again[0].locked_ops_source, "dev.c");
  EXPECT_DOUBLE_EQ(CodePathCatalog::parse(one_path(R"("locked_ops": {"per_call": 2, "source": "x"},)"), "t")[0].locked_ops_per_byte, 0);
  EXPECT_DOUBLE_EQ(CodePathCatalog::parse(one_path(""), "test")[0].locked_ops, 0);
  expect_refused({R"("locked_ops": {"per_call": 1},)", R"("locked_ops": {"per_call": -1, "source": "x"},)",
                  R"("locked_ops": {"per_frame": 1, "source": "x"},)", R"("locked_ops": 2,)"},
                 "locked_ops");
}

TEST(CodePath, StringStoresAreReadWithTheirSourceAndWrittenBack) {
  const CodePathCatalog c = CodePathCatalog::parse(one_path(R"("string_stores": "usercopy.c rep movsl",)"), "test");
  EXPECT_TRUE(c[0].string_stores());
  EXPECT_EQ(CodePathCatalog::parse(c.to_json(), "again")[0].string_stores_source, "usercopy.c rep movsl");
  EXPECT_FALSE(CodePathCatalog::parse(one_path(""), "test")[0].string_stores());
  expect_refused({R"("string_stores": true,)", R"("string_stores": "",)"}, "string_stores");
}

// Writes `text` as a patch file of this test's own and returns its path.
std::string patch_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name + ".json";
  std::ofstream(path) << text;
  return path;
}

TEST(CodePath, APatchReplacesFixedCountsAndKeepsWhatCalibrationFits) {
  CodePathCatalog c = CodePathCatalog::parse(
      one_path(R"("mmio": {"reads": 1, "source": "5.x"}, "locked_ops": {"per_call": 1, "source": "5.x"},)"), "cat.json");
  c.apply_patch(patch_file("patch-ok", R"({"description": "4.1.7", "paths": {"p": {
      "mmio": {"reads": 2, "writes": 2, "source": "4.1.7 intr"},
      "locked_ops": {"per_call": 3, "source": "4.1.7 rings"}}}})"));
  EXPECT_DOUBLE_EQ(c[0].mmio_reads, 2);
  EXPECT_DOUBLE_EQ(c[0].mmio_writes, 2);
  EXPECT_EQ(c[0].mmio_source, "4.1.7 intr");
  EXPECT_DOUBLE_EQ(c[0].locked_ops, 3);
  EXPECT_DOUBLE_EQ(c[0].traps, 0);  // not in the patch: as the catalog has it
  EXPECT_DOUBLE_EQ(c[0].instr_per_call.value, 100);
  EXPECT_DOUBLE_EQ(c[0].cpi.value, 2);
  EXPECT_NE(c.origin().find("patch-ok.json"), std::string::npos) << c.origin();
}

TEST(CodePath, APatchNamesItsFileAndPathWhenItCannotApply) {
  const auto refused = [](const std::string& name, const std::string& text, const std::string& expected) {
    CodePathCatalog c = CodePathCatalog::parse(one_path(""), "cat.json");
    try {
      c.apply_patch(patch_file(name, text));
      ADD_FAILURE() << "applied " << text;
    } catch (const ParamError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(name + ".json: " + expected), std::string::npos) << what;
    }
  };
  refused("patch-unknown-path", R"({"paths": {"q": {"traps": {"per_call": 1, "source": "x"}}}})",
          "paths.q: no such path in cat.json");
  refused("patch-fitted-value", R"({"paths": {"p": {"cpi": {"value": 3, "min": 1, "max": 30, "source": "x"}}}})",
          "paths.p.cpi: a patch sets fixed counts only");
  refused("patch-bad-count", R"({"paths": {"p": {"mmio": {"reads": -1, "source": "x"}}}})", "paths.p.mmio.reads");
  refused("patch-no-paths", R"({"description": "x"})", "expected an object with a \"paths\" object");
}

TEST(CodePath, EveryShippedCatalogSaysWhatItsSourcedCyclesCount) {
  for (const char* name : {"linux-2.4", "linux-2.4-calibrated", "eta-amp"}) {
    const std::string path = std::string(ISCSIM_SOURCE_DIR) + "/models/params/paths/" + name + ".json";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    const nlohmann::json doc = nlohmann::json::parse(in);
    for (const auto& [p, e] : doc["paths"].items()) EXPECT_TRUE(e.contains("sourced_cycles")) << path << ": " << p;
  }
}

}  // namespace
}  // namespace iscsim::models
