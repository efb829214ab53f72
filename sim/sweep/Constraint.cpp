#include "sim/sweep/Constraint.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace iscsim::sweep {

using nlohmann::json;

struct Operand {
  bool is_key = false;
  std::string key;
  json literal;
};

struct Constraint::Node {
  enum class Kind { Or, And, Compare } kind = Kind::Compare;
  std::vector<std::shared_ptr<const Node>> terms;  // Or, And
  std::string op;                                   // Compare
  Operand lhs, rhs;
};

namespace {

using Node = Constraint::Node;

struct Token {
  enum class Kind { Name, Number, String, Op, Open, Close, End } kind = Kind::End;
  std::string text;
  std::size_t pos = 0;
};

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool number_start(const std::string& s, std::size_t i) {
  const auto digit = [&](std::size_t k) { return k < s.size() && std::isdigit(static_cast<unsigned char>(s[k])); };
  return digit(i) || ((s[i] == '-' || s[i] == '+' || s[i] == '.') && (digit(i + 1) || (s[i + 1] == '.' && digit(i + 2))));
}

std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(' || c == ')') {
      out.push_back({c == '(' ? Token::Kind::Open : Token::Kind::Close, std::string(1, c), i});
      ++i;
    } else if (c == '"' || c == '\'') {
      const std::size_t end = s.find(c, i + 1);
      if (end == std::string::npos) throw ConstraintError("unterminated string at column " + std::to_string(i + 1));
      out.push_back({Token::Kind::String, s.substr(i + 1, end - i - 1), i});
      i = end + 1;
    } else if (number_start(s, i)) {
      char* end = nullptr;
      std::strtod(s.c_str() + i, &end);
      const std::size_t len = static_cast<std::size_t>(end - (s.c_str() + i));
      out.push_back({Token::Kind::Number, s.substr(i, len), i});
      i += len;
    } else if (name_start(c)) {
      std::size_t end = i;
      while (end < s.size() && name_char(s[end])) ++end;
      out.push_back({Token::Kind::Name, s.substr(i, end - i), i});
      i = end;
    } else {
      static const std::vector<std::string> ops{"<=", ">=", "==", "!=", "<", ">"};
      const auto op = std::find_if(ops.begin(), ops.end(), [&](const std::string& o) { return s.compare(i, o.size(), o) == 0; });
      if (op == ops.end())
        throw ConstraintError("unexpected '" + std::string(1, c) + "' at column " + std::to_string(i + 1) +
                              " (operators: < <= > >= == !=, and, or, parentheses)");
      out.push_back({Token::Kind::Op, *op, i});
      i += op->size();
    }
  }
  out.push_back({Token::Kind::End, "", s.size()});
  return out;
}

// Recursive descent: expr := and ("or" and)*; and := primary ("and" primary)*;
// primary := "(" expr ")" | operand op operand.
class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<std::string>& keys) : tokens_(std::move(tokens)), keys_(keys) {}

  std::shared_ptr<const Node> parse() {
    auto root = expr();
    if (peek().kind != Token::Kind::End) fail("expected 'and', 'or' or the end");
    return root;
  }

 private:
  const Token& peek() const { return tokens_[at_]; }
  Token next() { return tokens_[at_++]; }
  bool keyword(const char* word) const { return peek().kind == Token::Kind::Name && peek().text == word; }
  [[noreturn]] void fail(const std::string& what) const {
    const Token& t = peek();
    throw ConstraintError(what + (t.kind == Token::Kind::End ? ", found the end" : ", found \"" + t.text + "\" at column " + std::to_string(t.pos + 1)));
  }

  std::shared_ptr<const Node> chain(Node::Kind kind, const char* word, std::shared_ptr<const Node> (Parser::*term)()) {
    auto first = (this->*term)();
    if (!keyword(word)) return first;
    auto node = std::make_shared<Node>();
    node->kind = kind;
    node->terms.push_back(first);
    while (keyword(word)) {
      next();
      node->terms.push_back((this->*term)());
    }
    return node;
  }
  std::shared_ptr<const Node> expr() { return chain(Node::Kind::Or, "or", &Parser::conjunction); }
  std::shared_ptr<const Node> conjunction() { return chain(Node::Kind::And, "and", &Parser::primary); }

  std::shared_ptr<const Node> primary() {
    if (peek().kind == Token::Kind::Open) {
      next();
      auto inner = expr();
      if (peek().kind != Token::Kind::Close) fail("expected ')'");
      next();
      return inner;
    }
    auto node = std::make_shared<Node>();
    node->lhs = operand();
    if (peek().kind != Token::Kind::Op) fail("expected a comparison (< <= > >= == !=)");
    node->op = next().text;
    node->rhs = operand();
    return node;
  }

  Operand operand() {
    const Token& t = peek();
    Operand o;
    switch (t.kind) {
      case Token::Kind::Number:
        try {
          o.literal = json::parse(t.text);
        } catch (const json::parse_error&) {
          fail("expected a decimal number");
        }
        break;
      case Token::Kind::String: o.literal = t.text; break;
      case Token::Kind::Name:
        if (t.text == "true" || t.text == "false") {
          o.literal = t.text == "true";
        } else if (std::find(keys_.begin(), keys_.end(), t.text) != keys_.end()) {
          o.is_key = true;
          o.key = t.text;
        } else {
          std::string known;
          for (const std::string& k : keys_) known += (known.empty() ? "" : ", ") + k;
          throw ConstraintError("unknown key \"" + t.text + "\"; a constraint may use the sweep's keys: " +
                                (known.empty() ? "(none)" : known));
        }
        break;
      default: fail("expected a key, a number, a quoted string, true or false");
    }
    next();
    return o;
  }

  std::vector<Token> tokens_;
  const std::vector<std::string>& keys_;
  std::size_t at_ = 0;
};

bool compare(const json& a, const std::string& op, const json& b) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    if (op == ">=") return x >= y;
    return op == "==" ? x == y : x != y;
  }
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  throw ConstraintError("cannot order " + a.dump() + " and " + b.dump() + " with " + op + ": only numbers are ordered");
}

bool evaluate(const Node& n, const Constraint::Lookup& value_of) {
  switch (n.kind) {
    case Node::Kind::Or:
      return std::any_of(n.terms.begin(), n.terms.end(), [&](const auto& t) { return evaluate(*t, value_of); });
    case Node::Kind::And:
      return std::all_of(n.terms.begin(), n.terms.end(), [&](const auto& t) { return evaluate(*t, value_of); });
    case Node::Kind::Compare: break;
  }
  const auto value = [&](const Operand& o) -> const json& { return o.is_key ? value_of(o.key) : o.literal; };
  return compare(value(n.lhs), n.op, value(n.rhs));
}

}  // namespace

Constraint Constraint::parse(const std::string& text, const std::vector<std::string>& keys) {
  Constraint c;
  c.text_ = text;
  c.root_ = Parser(tokenize(text), keys).parse();
  return c;
}

bool Constraint::holds(const Lookup& value_of) const { return evaluate(*root_, value_of); }

}  // namespace iscsim::sweep
