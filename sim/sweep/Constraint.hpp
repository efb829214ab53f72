#pragma once
// A sweep constraint: a small boolean expression over the values a point gives its keys, e.g.
// `host.ppes < host.cores` or `host.architecture != "amp" or host.ppes < host.cores`.
// Grammar: or-terms of and-terms of comparisons (`<` `<=` `>` `>=` `==` `!=`) between keys,
// numbers, quoted strings, true and false; parentheses group. Orderings compare numbers only.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace iscsim::sweep {

// A constraint that does not parse, names an unknown key, or orders values that are not numbers.
class ConstraintError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Constraint {
 public:
  // The value a point gives a key; the key is always one of those the constraint was parsed with.
  using Lookup = std::function<const nlohmann::json&(const std::string& key)>;

  // `keys` are the names the expression may use.
  static Constraint parse(const std::string& text, const std::vector<std::string>& keys);

  bool holds(const Lookup& value_of) const;
  const std::string& text() const { return text_; }

  struct Node;

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;
};

}  // namespace iscsim::sweep
