// libFuzzer target: Login/Text key=value segments (parse_text, encode_text) and the
// negotiation rules of every key (answer_offer, accept_answer).
//
// The whole input is one data segment. Checked: a segment that parses re-encodes to one that
// parses to identical pairs; every understood key, offered with the fuzzed value, gets an
// answer, and an answer that is not a rejection is one the originator accepts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/stack/iscsi/KeyRules.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"
#include "tests/fuzz/FuzzHarness.hpp"

namespace {

using iscsim::stack::iscsi::accept_answer;
using iscsim::stack::iscsi::answer_offer;
using iscsim::stack::iscsi::encode_text;
using iscsim::stack::iscsi::find_key_rule;
using iscsim::stack::iscsi::KeyAnswer;
using iscsim::stack::iscsi::KeyKind;
using iscsim::stack::iscsi::KeyRule;
using iscsim::stack::iscsi::parse_text;
using iscsim::stack::iscsi::TextParse;

using iscsim::fuzz::require;

void negotiate(const KeyRule& rule, const std::string& value) {
  // The peer offers `value`; we answer with our default.
  const KeyAnswer answer = answer_offer(rule, value, rule.default_value);
  if (!answer.rejected) {
    const std::optional<std::string> accepted = accept_answer(rule, value, answer.value);
    // Our own answer must be acceptable to an originator that offered `value`.
    require(accepted.has_value());
    if (rule.kind != KeyKind::Declarative) require(*accepted == answer.result);
  }
  // The other way round: we offer our default and the fuzzed value is our own setting, or the
  // peer's answer.
  const KeyAnswer reverse = answer_offer(rule, rule.default_value, value);
  (void)reverse;
  (void)accept_answer(rule, rule.default_value, value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const TextParse parsed = parse_text(data, size);
  if (!parsed.ok()) return 0;

  const std::vector<std::uint8_t> wire = encode_text(parsed.pairs);
  const TextParse again = parse_text(wire.data(), wire.size());
  require(again.ok());
  require(again.pairs == parsed.pairs);
  require(encode_text(again.pairs) == wire);

  for (const auto& [key, value] : parsed.pairs) {
    if (const KeyRule* rule = find_key_rule(key)) negotiate(*rule, value);
  }
  return 0;
}
