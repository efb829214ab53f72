#include "sim/stack/iscsi/KeyRules.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace iscsim::stack::iscsi {

namespace {

constexpr std::uint32_t kMaxSegment = (1u << 24) - 1;  // 2^24 - 1 (section 13.12-13.14)
constexpr std::uint32_t kMinSegment = 512;
constexpr std::uint32_t kMax16 = 65535;
constexpr std::uint32_t kMaxTime = 3600;  // seconds (sections 13.15, 13.16)
constexpr std::uint32_t kMaxErl = 2;
constexpr std::uint32_t kMaxProtocolLevel = 31;  // RFC 7144 section 2.1

KeyRule numeric(std::string name, KeyKind kind, std::uint32_t def, std::uint32_t min, std::uint32_t max) {
  return KeyRule{std::move(name), kind, std::to_string(def), min, max, true};
}
KeyRule simple(std::string name, KeyKind kind, std::string def) { return KeyRule{std::move(name), kind, std::move(def)}; }

std::vector<KeyRule> build() {
  return {
      simple("AuthMethod", KeyKind::List, "None"),
      simple("HeaderDigest", KeyKind::List, "None"),
      simple("DataDigest", KeyKind::List, "None"),
      numeric("MaxConnections", KeyKind::NumericalMin, 1, 1, kMax16),
      simple("SendTargets", KeyKind::Declarative, ""),
      simple("TargetName", KeyKind::Declarative, ""),
      simple("InitiatorName", KeyKind::Declarative, ""),
      simple("TargetAlias", KeyKind::Declarative, ""),
      simple("InitiatorAlias", KeyKind::Declarative, ""),
      simple("TargetAddress", KeyKind::Declarative, ""),
      simple("TargetPortalGroupTag", KeyKind::Declarative, ""),
      simple("InitialR2T", KeyKind::BooleanOr, "Yes"),
      simple("ImmediateData", KeyKind::BooleanAnd, "Yes"),
      numeric("MaxRecvDataSegmentLength", KeyKind::Declarative, 8192, kMinSegment, kMaxSegment),
      numeric("MaxBurstLength", KeyKind::NumericalMin, 262144, kMinSegment, kMaxSegment),
      numeric("FirstBurstLength", KeyKind::NumericalMin, 65536, kMinSegment, kMaxSegment),
      numeric("DefaultTime2Wait", KeyKind::NumericalMax, 2, 0, kMaxTime),
      numeric("DefaultTime2Retain", KeyKind::NumericalMin, 20, 0, kMaxTime),
      numeric("MaxOutstandingR2T", KeyKind::NumericalMin, 1, 1, kMax16),
      simple("DataPDUInOrder", KeyKind::BooleanOr, "Yes"),
      simple("DataSequenceInOrder", KeyKind::BooleanOr, "Yes"),
      numeric("ErrorRecoveryLevel", KeyKind::NumericalMin, 0, 0, kMaxErl),
      simple("SessionType", KeyKind::Declarative, "Normal"),
      simple("OFMarker", KeyKind::BooleanAnd, "No"),
      simple("IFMarker", KeyKind::BooleanAnd, "No"),
      numeric("iSCSIProtocolLevel", KeyKind::NumericalMin, 1, 0, kMaxProtocolLevel),
      simple("TaskReporting", KeyKind::List, "RFC3720"),
  };
}

std::optional<std::uint32_t> parse_number(const std::string& s) {
  std::uint64_t v = 0;
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || s.empty() || v > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

std::optional<bool> parse_bool(const std::string& s) {
  if (s == "Yes") return true;
  if (s == "No") return false;
  return std::nullopt;
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> items;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) items.push_back(item);
  return items;
}

KeyAnswer rejected_answer() { return KeyAnswer{"Reject", "", true}; }

}  // namespace

const std::vector<KeyRule>& key_rules() {
  static const std::vector<KeyRule> rules = build();
  return rules;
}

const KeyRule* find_key_rule(const std::string& name) {
  for (const KeyRule& r : key_rules())
    if (r.name == name) return &r;
  return nullptr;
}

KeyAnswer answer_offer(const KeyRule& rule, const std::string& offered, const std::string& ours) {
  switch (rule.kind) {
    case KeyKind::List: {
      const std::vector<std::string> supported = split_list(ours);
      for (const std::string& v : split_list(offered))
        if (std::find(supported.begin(), supported.end(), v) != supported.end()) return KeyAnswer{v, v, false};
      return rejected_answer();
    }
    case KeyKind::NumericalMin:
    case KeyKind::NumericalMax: {
      const auto o = parse_number(offered);
      const auto m = parse_number(ours);
      if (!o || !m || *o < rule.min || *o > rule.max) return rejected_answer();
      const std::uint32_t r = rule.kind == KeyKind::NumericalMin ? std::min(*o, *m) : std::max(*o, *m);
      return KeyAnswer{std::to_string(r), std::to_string(r), false};
    }
    case KeyKind::BooleanAnd:
    case KeyKind::BooleanOr: {
      const auto o = parse_bool(offered);
      const auto m = parse_bool(ours);
      if (!o || !m) return rejected_answer();
      const bool r = rule.kind == KeyKind::BooleanAnd ? (*o && *m) : (*o || *m);
      // Section 6.2.2: when the offer settles it (AND offered No, OR offered Yes) the answer is
      // optional; we always answer, with the result.
      const std::string text = r ? "Yes" : "No";
      return KeyAnswer{text, text, false};
    }
    case KeyKind::Declarative: {
      if (rule.numeric) {
        const auto o = parse_number(offered);
        if (!o || *o < rule.min || *o > rule.max) return rejected_answer();
      }
      return KeyAnswer{ours, offered, false};
    }
  }
  return rejected_answer();
}

std::optional<std::string> accept_answer(const KeyRule& rule, const std::string& offered, const std::string& answer) {
  // Section 6.2: "Irrelevant" answers a key that does not apply (FirstBurstLength with
  // InitialR2T=Yes and ImmediateData=No, say); the offer then stands unused.
  if (answer == "Irrelevant") return offered;
  switch (rule.kind) {
    case KeyKind::List: {
      const std::vector<std::string> items = split_list(offered);
      if (std::find(items.begin(), items.end(), answer) == items.end()) return std::nullopt;
      return answer;
    }
    case KeyKind::NumericalMin:
    case KeyKind::NumericalMax: {
      const auto o = parse_number(offered);
      const auto a = parse_number(answer);
      if (!o || !a || *a < rule.min || *a > rule.max) return std::nullopt;
      if (rule.kind == KeyKind::NumericalMin ? *a > *o : *a < *o) return std::nullopt;
      return answer;
    }
    case KeyKind::BooleanAnd:
    case KeyKind::BooleanOr: {
      const auto o = parse_bool(offered);
      if (!o) return std::nullopt;
      const auto a = parse_bool(answer);
      if (!a) return std::nullopt;
      // AND can only turn Yes into No; OR only No into Yes.
      if (rule.kind == KeyKind::BooleanAnd ? (*a && !*o) : (!*a && *o)) return std::nullopt;
      return answer;
    }
    case KeyKind::Declarative:
      return answer;
  }
  return std::nullopt;
}

}  // namespace iscsim::stack::iscsi
