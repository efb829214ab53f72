#pragma once
// Parameter sets for model tests, read from the shipped files so the tests check what runs.
#include <string>

#include "models/common/ParamSet.hpp"

namespace iscsim::models::testing {

inline std::string params_dir() { return std::string(ISCSIM_SOURCE_DIR) + "/models/params"; }
inline ParamSet params(const std::string& kind, const std::string& name) {
  return ParamSet::load(params_dir(), kind, name);
}

}  // namespace iscsim::models::testing
