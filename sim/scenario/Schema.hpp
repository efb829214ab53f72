#pragma once
// The scenario schema as data: every key with its type, default, bounds and meaning. The
// loader validates against it, `validate` prints from it, and a test keeps scenarios/README.md
// in step with it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iscsim::scenario {

// The JSON type a key accepts; Integer also takes integral numbers such as 2.0.
enum class KeyType { Number, Integer, Boolean, String, Enum };

// One leaf key of the schema: what it accepts, its default and its documentation.
struct KeySpec {
  std::string path;  // dotted, e.g. "host.cpu.frequency_ghz"
  KeyType type;
  nlohmann::json default_value;
  std::string doc;  // meaning, with the unit
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive = false;
  std::vector<std::string> allowed;  // Enum only
  std::optional<long long> multiple_of;
};

const std::vector<KeySpec>& schema_keys();
const KeySpec* find_key(const std::string& path);
// Names allowed directly under a prefix ("" for the top level), sections included.
std::vector<std::string> allowed_children(const std::string& prefix);
// True when the path names a section (an object), not a value.
bool is_section(const std::string& path);
// The complete default scenario.
nlohmann::json default_document();
std::string type_name(KeyType t);

}  // namespace iscsim::scenario
