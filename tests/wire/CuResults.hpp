#pragma once
// The iscsi-test-cu families wire mode is tested on (cu-families.txt) and the failed tests in
// iscsi-test-cu's output (its default verbose mode).
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace iscsim::wire::testing {

inline std::vector<std::string> cu_families() {
  std::ifstream in(std::string(ISCSIM_SOURCE_DIR) + "/tests/wire/cu-families.txt");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

inline std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// "Suite.Test" of each test whose result is FAILED.
inline std::set<std::string> cu_failures(const std::string& output) {
  std::set<std::string> failed;
  std::istringstream in(output);
  std::string suite, test;
  const std::string suite_tag = "Suite: ", test_tag = "  Test: ", failed_tag = "FAILED";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(suite_tag, 0) == 0) suite = line.substr(suite_tag.size());
    if (line.rfind(test_tag, 0) == 0) test = line.substr(test_tag.size(), line.find(' ', test_tag.size()) - test_tag.size());
    if (line.size() >= failed_tag.size() && line.compare(line.size() - failed_tag.size(), failed_tag.size(), failed_tag) == 0)
      failed.insert(suite + "." + test);
  }
  return failed;
}

}  // namespace iscsim::wire::testing
