#include "sim/stack/iscsi/Negotiator.hpp"

#include <charconv>

#include "sim/stack/iscsi/KeyRules.hpp"

namespace iscsim::stack::iscsi {

namespace {

constexpr const char* kMrdsl = "MaxRecvDataSegmentLength";
constexpr const char* kNotUnderstood = "NotUnderstood";
constexpr const char* kReject = "Reject";
constexpr const char* kIrrelevant = "Irrelevant";

}  // namespace

Negotiator::Negotiator(Role role, const OperationalPrefs& prefs) : role_(role), prefs_(prefs) {
  for (auto& [k, v] : prefs_.keys()) ours_[k] = v;
  peer_mrdsl_ = static_cast<std::uint32_t>(std::stoul(find_key_rule(kMrdsl)->default_value));
}

KeyValues Negotiator::take_offers() {
  KeyValues out;
  if (offered_) return out;
  offered_ = true;
  if (role_ == Role::Target) {
    // The target declares its own receive limit; the rest it answers as offered.
    out.emplace_back(kMrdsl, ours_.at(kMrdsl));
    return out;
  }
  for (auto& [k, v] : prefs_.keys()) {
    out.emplace_back(k, v);
    const KeyRule* rule = find_key_rule(k);
    if (rule->kind != KeyKind::Declarative) awaiting_[k] = v;
  }
  return out;
}

bool Negotiator::receive(const KeyValues& peer, KeyValues& replies, std::string& error) {
  for (const auto& [key, value] : peer) {
    const KeyRule* rule = find_key_rule(key);
    if (!rule) {
      replies.emplace_back(key, kNotUnderstood);
      continue;
    }
    if (key == kMrdsl) {
      std::uint32_t v = 0;
      const auto* end = value.data() + value.size();
      auto [p, ec] = std::from_chars(value.data(), end, v);
      if (ec != std::errc() || p != end || v < rule->min || v > rule->max) {
        error = key + "=" + value + " is outside " + std::to_string(rule->min) + ".." + std::to_string(rule->max);
        return false;
      }
      peer_mrdsl_ = v;
      continue;
    }
    const auto offer = awaiting_.find(key);
    if (offer != awaiting_.end()) {
      // An answer to our offer.
      if (value == kReject || value == kNotUnderstood) {
        negotiated_[key] = rule->default_value;
      } else if (value == kIrrelevant) {
        negotiated_[key] = offer->second;
      } else {
        const auto result = accept_answer(*rule, offer->second, value);
        if (!result) {
          error = "illegal answer " + key + "=" + value + " to our offer " + offer->second;
          return false;
        }
        negotiated_[key] = *result;
      }
      awaiting_.erase(offer);
      continue;
    }
    if (rule->kind == KeyKind::Declarative) {
      negotiated_[key] = value;
      continue;
    }
    // The peer's offer: answer it by the key's rule with our value (or the default).
    const auto ours = ours_.find(key);
    const KeyAnswer answer = answer_offer(*rule, value, ours != ours_.end() ? ours->second : rule->default_value);
    replies.emplace_back(key, answer.value);
    negotiated_[key] = answer.rejected ? rule->default_value : answer.result;
  }
  return true;
}

SessionParams Negotiator::params() const {
  const std::uint32_t mine = prefs_.max_recv_data_segment_length;
  return role_ == Role::Initiator ? SessionParams::from(negotiated_, mine, peer_mrdsl_)
                                  : SessionParams::from(negotiated_, peer_mrdsl_, mine);
}

}  // namespace iscsim::stack::iscsi
