#include "sim/scenario/Validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>

#include "sim/scenario/ScenarioError.hpp"

namespace iscsim::scenario {

namespace {

using nlohmann::json;

// A suggestion is offered when at most this share of the name differs (and at least 2 edits).
constexpr std::size_t kMinSuggestDistance = 2;
constexpr std::size_t kSuggestDivisor = 3;
// An abbreviation this long or longer ("freq" for "frequency_ghz") is also worth suggesting.
constexpr std::size_t kMinPrefixSuggest = 3;

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string describe(const json& v) {
  switch (v.type()) {
    case json::value_t::string: return "string " + v.dump();
    case json::value_t::boolean: return "boolean " + v.dump();
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    default: return "number " + v.dump();
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// Enough digits that bounds such as 16777216 and 67107.84 print exactly.
constexpr int kBoundDigits = 15;

std::string number_text(double x) {
  std::ostringstream o;
  o << std::setprecision(kBoundDigits) << x;
  return o.str();
}

std::string child_path(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

}  // namespace

std::string closest_match(const std::string& name, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max(kMinSuggestDistance, name.size() / kSuggestDivisor) + 1;
  for (const std::string& c : candidates) {
    const std::size_t d = edit_distance(name, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  if (best.empty() && name.size() >= kMinPrefixSuggest)
    for (const std::string& c : candidates)
      if (c.compare(0, name.size(), name) == 0) return c;
  return best;
}

std::string unknown_key_message(const std::string& prefix, const std::string& name) {
  const std::vector<std::string> allowed = allowed_children(prefix);
  std::string msg = "unknown key; allowed keys" + (prefix.empty() ? std::string() : " in " + prefix) + ": " + join(allowed);
  const std::string guess = closest_match(name, allowed);
  if (!guess.empty()) msg += "; did you mean \"" + guess + "\"?";
  return msg;
}

json check_value(const KeySpec& spec, const json& value, const std::string& file) {
  const auto fail = [&](const std::string& why) { throw ScenarioError(file, spec.path, why); };
  const std::string found = ", found " + describe(value);
  json v = value;
  switch (spec.type) {
    case KeyType::Number:
      if (!v.is_number()) fail("expected a number" + found);
      break;
    case KeyType::Integer: {
      // 2.0 is an integer; the range guard keeps the cast defined (1e30 stays "not an integer").
      constexpr double kLongLongLimit = 9223372036854775808.0;  // 2^63
      const double d = v.is_number_float() ? v.get<double>() : 0;
      if (v.is_number_float() && std::floor(d) == d && d > -kLongLongLimit && d < kLongLongLimit)
        v = static_cast<long long>(d);
      if (!v.is_number_integer()) fail("expected an integer" + found);
      // Every integer key is read as a signed 64-bit value at most.
      if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<long long>::max()))
        fail("must be at most " + std::to_string(std::numeric_limits<long long>::max()) + found);
      break;
    }
    case KeyType::Boolean:
      if (!v.is_boolean()) fail("expected true or false" + found);
      break;
    case KeyType::String:
      if (!v.is_string()) fail("expected a string" + found);
      break;
    case KeyType::Enum:
      if (!v.is_string() || std::find(spec.allowed.begin(), spec.allowed.end(), v.get<std::string>()) == spec.allowed.end())
        fail("expected one of " + join(spec.allowed) + found);
      break;
  }
  if (v.is_number()) {
    const double x = v.get<double>();
    if (spec.min && (spec.min_exclusive ? x <= *spec.min : x < *spec.min))
      fail("must be " + std::string(spec.min_exclusive ? "greater than " : "at least ") + number_text(*spec.min) +
           found);
    if (spec.max && x > *spec.max) fail("must be at most " + number_text(*spec.max) + found);
    if (spec.multiple_of && v.get<long long>() % *spec.multiple_of != 0)
      fail("must be a multiple of " + std::to_string(*spec.multiple_of) + found);
  }
  return v;
}

void validate_document(const json& doc, const std::string& file, const std::string& prefix) {
  if (!doc.is_object())
    throw ScenarioError(file, prefix, "expected an object with keys " + join(allowed_children(prefix)) + ", found " +
                                          describe(doc));
  for (const auto& [name, value] : doc.items()) {
    const std::string path = child_path(prefix, name);
    if (is_section(path)) {
      validate_document(value, file, path);
    } else if (const KeySpec* spec = find_key(path)) {
      check_value(*spec, value, file);
    } else {
      throw ScenarioError(file, path, unknown_key_message(prefix, name));
    }
  }
}

}  // namespace iscsim::scenario
