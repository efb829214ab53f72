#pragma once
// The negotiation rule of every RFC 7143 login/text key (section 13, plus RFC 7144's
// iSCSIProtocolLevel): its kind, default and range, and how an offer and our own value combine.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iscsim::stack::iscsi {

enum class KeyKind {
  List,          // the responder picks the first offered value it supports
  NumericalMin,  // the result is the smaller of the two
  NumericalMax,  // the result is the larger of the two
  BooleanAnd,    // Yes only if both say Yes
  BooleanOr,     // Yes if either says Yes
  Declarative,   // each side states its own value; nothing is negotiated
};

struct KeyRule {
  std::string name;
  KeyKind kind;
  std::string default_value;
  std::uint32_t min = 0;  // numerical keys (and MaxRecvDataSegmentLength)
  std::uint32_t max = 0;
  bool numeric = false;
};

// The rule for a key, or nothing: the key is not understood (answer "NotUnderstood").
const KeyRule* find_key_rule(const std::string& name);
const std::vector<KeyRule>& key_rules();

// A responder's answer to an offer, given the value(s) it would accept or prefers.
struct KeyAnswer {
  std::string value;   // what goes back on the wire ("Reject", "Irrelevant" included)
  std::string result;  // the value in force afterwards ("" if the offer was rejected)
  bool rejected = false;
};
// For List keys `ours` is a comma-separated list of what we support, in our order of
// preference; for the others it is our single value.
KeyAnswer answer_offer(const KeyRule& rule, const std::string& offered, const std::string& ours);

// The originator checks an answer against what it offered; nothing means the answer is illegal
// (a protocol error): e.g. a larger value for a NumericalMin key.
std::optional<std::string> accept_answer(const KeyRule& rule, const std::string& offered, const std::string& answer);

}  // namespace iscsim::stack::iscsi
