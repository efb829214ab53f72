#pragma once
// One side of operational key negotiation (RFC 7143 section 6): offers its own keys, answers the
// peer's offers by each key's rule, checks the peer's answers, and records declarations.
#include <cstdint>
#include <map>
#include <string>

#include "sim/stack/iscsi/SessionParams.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {

class Negotiator {
 public:
  Negotiator(Role role, const OperationalPrefs& prefs);

  // Keys this side has not offered yet (the initiator offers everything in its first
  // operational PDU; the target declares its MaxRecvDataSegmentLength with its answers).
  KeyValues take_offers();
  // Handles the peer's keys; appends our answers to `replies`. False with `error` set when an
  // answer breaks its key's rule (a protocol error that fails the login).
  bool receive(const KeyValues& peer, KeyValues& replies, std::string& error);
  // True while an offer of ours has no answer yet.
  bool awaiting_answers() const { return !awaiting_.empty(); }

  SessionParams params() const;
  const std::map<std::string, std::string>& negotiated() const { return negotiated_; }

 private:
  Role role_;
  OperationalPrefs prefs_;
  std::map<std::string, std::string> ours_;      // our value per key
  std::map<std::string, std::string> awaiting_;  // offered, not yet answered
  std::map<std::string, std::string> negotiated_;
  bool offered_ = false;
  std::uint32_t peer_mrdsl_ = 8192;  // RFC 7143 default when the peer declares nothing
};

}  // namespace iscsim::stack::iscsi
