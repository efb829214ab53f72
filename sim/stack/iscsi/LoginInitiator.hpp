#pragma once
// The initiator's side of a login (RFC 7143 section 6): security stage with None or CHAP
// (one-way or mutual), operational negotiation, then Full Feature Phase. Sans-IO: it turns
// Login Responses into the next Login Request.
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "sim/stack/iscsi/Login.hpp"
#include "sim/stack/iscsi/Negotiator.hpp"
#include "sim/stack/iscsi/PduCodec.hpp"

namespace iscsim::stack::iscsi {

class LoginInitiator {
 public:
  LoginInitiator(const InitiatorIdentity& id, const OperationalPrefs& prefs, std::uint32_t itt,
                 std::uint32_t cmd_sn, std::uint64_t challenge_seed);

  Pdu start();
  // The next request, or nothing when the login ended (see outcome()).
  std::optional<Pdu> on_response(const Pdu& rsp);

  LoginOutcome outcome() const { return outcome_; }
  const std::string& error() const { return error_; }
  SessionParams params() const { return negotiator_.params(); }
  std::uint16_t tsih() const { return tsih_; }
  std::uint32_t exp_stat_sn() const { return exp_stat_sn_; }
  std::uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  std::uint32_t max_cmd_sn() const { return max_cmd_sn_; }
  // Status class and detail of a refused login (0/0 otherwise).
  std::uint16_t status() const { return status_; }

 private:
  Pdu request(bool transit, Stage next, const KeyValues& keys);
  std::optional<Pdu> security_step(const LoginStages& st, const KeyValues& keys);
  std::optional<Pdu> operational_step(const LoginStages& st, const KeyValues& keys);
  std::optional<Pdu> fail(std::string why);
  bool check_mutual(const KeyValues& keys);

  InitiatorIdentity id_;
  Negotiator negotiator_;
  std::uint32_t itt_;
  std::uint32_t cmd_sn_;
  std::mt19937_64 rng_;
  Stage stage_ = Stage::Security;
  bool chap_sent_algorithm_ = false;
  bool chap_answered_ = false;
  std::uint8_t mutual_id_ = 0;
  std::vector<std::uint8_t> mutual_challenge_;
  std::vector<std::uint8_t> partial_;  // text of responses with the C bit
  LoginOutcome outcome_ = LoginOutcome::InProgress;
  std::string error_;
  std::uint16_t tsih_ = 0;
  std::uint16_t status_ = 0;
  std::uint32_t exp_stat_sn_ = 0;
  std::uint32_t exp_cmd_sn_ = 0;
  std::uint32_t max_cmd_sn_ = 0;
};

}  // namespace iscsim::stack::iscsi
