#include "models/cpu/CodePath.hpp"
#include <gtest/gtest.h>

#include <filesystem>

#include "ModelFixtures.hpp"
#include "models/common/ParamSet.hpp"

namespace iscsim::models {
namespace {

TEST(ParamSet, EveryShippedFileHasUnitsAndSources) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(testing::params_dir())) {
    if (e.path().extension() != ".json") continue;
    // Code-path catalogs have their own format, with bounds (CodePathTest checks them).
    if (e.path().parent_path().filename() == "paths") {
      EXPECT_NO_THROW(CodePathCatalog::load(e.path().string())) << e.path();
      continue;
    }
    // Code-path patches too: each applies to the shipped catalog, every count with its source.
    if (e.path().parent_path().filename() == "patches") {
      CodePathCatalog catalog = CodePathCatalog::load(testing::params_dir() + "/paths/linux-2.4-calibrated.json");
      EXPECT_NO_THROW(catalog.apply_patch(e.path().string())) << e.path();
      continue;
    }
    EXPECT_NO_THROW(ParamSet::load(e.path().string())) << e.path();
    ++files;
  }
  EXPECT_GE(files, 4);
}

TEST(ParamSet, MissingParameterIsNamed) {
  ParamSet p(nlohmann::json::parse(R"({"params": {}})"), "x.json");
  try {
    p.number("clock_mhz");
    FAIL();
  } catch (const ParamError& e) {
    EXPECT_NE(std::string(e.what()).find("params.clock_mhz"), std::string::npos);
  }
}

TEST(ParamSet, SourceIsRequired) {
  EXPECT_THROW(ParamSet(nlohmann::json::parse(R"({"params": {"a": {"value": 1, "unit": "B"}}})"), "x.json"),
               ParamError);
}

TEST(ParamSet, UnreadParameterIsAnError) {
  ParamSet p(nlohmann::json::parse(R"({"params": {"a": {"value": 1, "unit": "B", "source": "s"},
                                                  "b": {"value": 2, "unit": "B", "source": "s"}}})"),
             "x.json");
  p.number("a");
  EXPECT_THROW(p.require_all_read(), ParamError);
  p.number("b");
  EXPECT_NO_THROW(p.require_all_read());
}

TEST(ParamSet, IntegerBounds) {
  ParamSet p(nlohmann::json::parse(R"({"params": {"a": {"value": 1.5, "unit": "B", "source": "s"}}})"), "x.json");
  EXPECT_THROW(p.integer("a", 0, 10), ParamError);
}

}  // namespace
}  // namespace iscsim::models
