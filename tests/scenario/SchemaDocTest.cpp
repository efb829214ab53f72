// The schema documentation cannot drift: every key the loader accepts is in scenarios/README.md.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sim/scenario/Schema.hpp"

namespace iscsim::scenario {
namespace {

TEST(SchemaDoc, EveryKeyIsDocumented) {
  std::ifstream in(ISCSIM_SOURCE_DIR "/scenarios/README.md");
  ASSERT_TRUE(in) << "scenarios/README.md is missing";
  std::stringstream text;
  text << in.rdbuf();
  for (const KeySpec& k : schema_keys())
    EXPECT_NE(text.str().find("`" + k.path + "`"), std::string::npos) << k.path << " is not in scenarios/README.md";
}

TEST(SchemaDoc, DefaultsSatisfyTheirOwnBounds) {
  for (const KeySpec& k : schema_keys()) {
    if (!k.default_value.is_number()) continue;
    const double v = k.default_value.get<double>();
    if (k.min) {
      EXPECT_TRUE(k.min_exclusive ? v > *k.min : v >= *k.min) << k.path;
    }
    if (k.max) {
      EXPECT_LE(v, *k.max) << k.path;
    }
  }
}

}  // namespace
}  // namespace iscsim::scenario
