#pragma once
// The target's side of a login (RFC 7143 section 6): checks the initiator's names, runs the
// security stage (None or CHAP, with mutual CHAP on request), answers operational keys, and
// admits the connection to Full Feature Phase. Sans-IO: each Login Request gets a response.
#include <cstdint>
#include <random>
#include <string>

#include "sim/stack/iscsi/Login.hpp"
#include "sim/stack/iscsi/Negotiator.hpp"
#include "sim/stack/iscsi/PduCodec.hpp"

namespace iscsim::stack::iscsi {

class LoginTarget {
 public:
  LoginTarget(const TargetIdentity& id, const OperationalPrefs& prefs, std::uint16_t tsih, std::uint32_t stat_sn,
              std::uint32_t command_window, std::uint64_t challenge_seed);

  Pdu on_request(const Pdu& req);

  LoginOutcome outcome() const { return outcome_; }
  const std::string& error() const { return error_; }
  SessionParams params() const { return negotiator_.params(); }
  bool discovery() const { return discovery_; }
  const std::string& initiator_name() const { return initiator_name_; }
  const Isid& isid() const { return isid_; }
  std::uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  std::uint32_t next_stat_sn() const { return stat_sn_; }

 private:
  Pdu response(const Pdu& req, const LoginStages& st, const KeyValues& keys);
  Pdu refuse(const Pdu& req, std::uint8_t status_class, std::uint8_t detail, std::string why);
  bool security_keys(const KeyValues& keys, KeyValues& out, std::uint8_t& detail, std::string& why);

  TargetIdentity id_;
  Negotiator negotiator_;
  std::uint16_t tsih_;
  std::uint32_t stat_sn_;
  std::uint32_t window_;
  std::mt19937_64 rng_;
  Stage stage_ = Stage::Security;
  bool first_ = true;
  bool names_checked_ = false;
  bool chap_chosen_ = false;
  bool chap_challenged_ = false;
  bool authenticated_ = false;
  bool declared_ = false;
  bool discovery_ = false;
  std::uint8_t chap_id_ = 0;
  std::vector<std::uint8_t> challenge_;
  std::uint32_t itt_ = 0;
  std::uint32_t exp_cmd_sn_ = 0;
  Isid isid_{};
  std::string initiator_name_;
  LoginOutcome outcome_ = LoginOutcome::InProgress;
  std::string error_;
};

}  // namespace iscsim::stack::iscsi
