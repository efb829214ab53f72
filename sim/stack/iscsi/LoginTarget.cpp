#include "sim/stack/iscsi/LoginTarget.hpp"

#include <algorithm>

#include "sim/stack/iscsi/KeyRules.hpp"
#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {

namespace {

constexpr std::uint8_t kUnsupportedVersion = 0x05;  // status detail with class 2

bool is_security_key(const std::string& k) {
  return k == "AuthMethod" || k.rfind("CHAP_", 0) == 0 || k == "InitiatorName" || k == "TargetName" ||
         k == "SessionType" || k == "InitiatorAlias";
}

}  // namespace

LoginTarget::LoginTarget(const TargetIdentity& id, const OperationalPrefs& prefs, std::uint16_t tsih,
                         std::uint32_t stat_sn, std::uint32_t command_window, std::uint64_t challenge_seed)
    : id_(id),
      negotiator_(Role::Target, prefs),
      tsih_(tsih),
      stat_sn_(stat_sn),
      window_(command_window),
      rng_(challenge_seed) {}

Pdu LoginTarget::response(const Pdu& req, const LoginStages& st, const KeyValues& keys) {
  Pdu p;
  p.bhs.set_opcode(Opcode::LoginResponse);
  set_login_stages(p.bhs, st);
  p.bhs.set_u8(login::kVersionMax, login::kVersion);
  p.bhs.set_u8(login::kVersionActive, login::kVersion);
  for (std::size_t i = 0; i < login::kIsidBytes; ++i) p.bhs.set_u8(login::kIsid + i, req.bhs.u8(login::kIsid + i));
  if (outcome_ == LoginOutcome::Succeeded) p.bhs.set_u16(login::kTsih, tsih_);
  p.bhs.set_itt(req.bhs.itt());
  p.bhs.set_u32(bhs::kStatSn, stat_sn_++);  // every Login Response takes the next StatSN
  p.bhs.set_u32(bhs::kExpCmdSn, exp_cmd_sn_);
  p.bhs.set_u32(bhs::kMaxCmdSn, exp_cmd_sn_ + window_ - 1);
  p.data = encode_text(keys);
  return p;
}

Pdu LoginTarget::refuse(const Pdu& req, std::uint8_t status_class, std::uint8_t detail, std::string why) {
  outcome_ = LoginOutcome::Failed;
  error_ = std::move(why);
  Pdu p = response(req, LoginStages{false, false, stage_, stage_}, {});
  p.bhs.set_u8(login::kStatusClass, status_class);
  p.bhs.set_u8(login::kStatusDetail, detail);
  return p;
}

Pdu LoginTarget::on_request(const Pdu& req) {
  if (outcome_ != LoginOutcome::InProgress || req.bhs.opcode() != Opcode::LoginRequest)
    return refuse(req, login::kInitiatorError, login::kInvalidDuringLogin, "a non-login PDU during login");
  if (first_) {
    first_ = false;
    itt_ = req.bhs.itt();
    exp_cmd_sn_ = req.bhs.u32(bhs::kCmdSn);
    for (std::size_t i = 0; i < login::kIsidBytes; ++i) isid_[i] = req.bhs.u8(login::kIsid + i);
    if (req.bhs.u8(login::kVersionActive) > login::kVersion)
      return refuse(req, login::kInitiatorError, kUnsupportedVersion, "unsupported iSCSI version");
  }
  const LoginStages st = login_stages(req.bhs);
  const TextParse parsed = parse_text(req.data.data(), req.data.size());
  if (!parsed.ok()) return refuse(req, login::kInitiatorError, login::kInitiatorErrorDetail, parsed.error);
  const bool auth_required = !id_.chap.empty();
  // Skipping the security stage of a target that requires CHAP is an authentication failure,
  // which tells the user what is wrong (libiscsi does this when given no credentials).
  if (st.csg == Stage::Operational && stage_ == Stage::Security && !names_checked_ && auth_required)
    return refuse(req, login::kInitiatorError, login::kAuthenticationFailure, "authentication required");
  // An initiator that needs no security may start in the operational stage.
  if (st.csg == Stage::Operational && stage_ == Stage::Security && !names_checked_ && !auth_required)
    stage_ = Stage::Operational;
  if (st.csg != stage_ || (st.transit && static_cast<int>(st.nsg) <= static_cast<int>(st.csg)))
    return refuse(req, login::kInitiatorError, login::kInvalidDuringLogin, "login stage out of order");

  KeyValues out;
  if (!names_checked_) {
    const std::string* initiator = find_key(parsed.pairs, "InitiatorName");
    const std::string* type = find_key(parsed.pairs, "SessionType");
    const std::string* target = find_key(parsed.pairs, "TargetName");
    if (!initiator) return refuse(req, login::kInitiatorError, login::kMissingParameter, "no InitiatorName");
    initiator_name_ = *initiator;
    discovery_ = type && *type == "Discovery";
    if (!discovery_) {
      if (!target) return refuse(req, login::kInitiatorError, login::kMissingParameter, "no TargetName");
      if (*target != id_.target_name)
        return refuse(req, login::kInitiatorError, login::kNotFound, "unknown target " + *target);
      out.emplace_back("TargetPortalGroupTag", std::to_string(id_.portal_group_tag));
      if (!id_.target_alias.empty()) out.emplace_back("TargetAlias", id_.target_alias);
    }
    names_checked_ = true;
  }

  KeyValues operational;
  for (const auto& kv : parsed.pairs)
    if (!is_security_key(kv.first)) operational.push_back(kv);
  if (stage_ == Stage::Security) {
    std::uint8_t detail = login::kAuthenticationFailure;
    std::string why;
    if (!security_keys(parsed.pairs, out, detail, why)) return refuse(req, login::kInitiatorError, detail, why);
  }
  std::string why;
  if (!negotiator_.receive(operational, out, why))
    return refuse(req, login::kInitiatorError, login::kInitiatorErrorDetail, why);
  if (stage_ == Stage::Operational && !declared_) {
    declared_ = true;
    for (auto& kv : negotiator_.take_offers()) out.push_back(kv);
  }

  LoginStages reply{false, false, stage_, stage_};
  const bool may_leave = stage_ != Stage::Security || authenticated_ || !auth_required;
  if (st.transit && may_leave) {
    reply.transit = true;
    reply.nsg = st.nsg;
    if (st.nsg == Stage::FullFeature) outcome_ = LoginOutcome::Succeeded;
    stage_ = st.nsg;
  } else if (st.transit && stage_ == Stage::Security && auth_required && !chap_chosen_) {
    return refuse(req, login::kInitiatorError, login::kAuthenticationFailure, "authentication required");
  }
  return response(req, reply, out);
}

bool LoginTarget::security_keys(const KeyValues& keys, KeyValues& out, std::uint8_t& detail, std::string& why) {
  detail = login::kAuthenticationFailure;
  const bool auth_required = !id_.chap.empty();
  if (const std::string* method = find_key(keys, "AuthMethod")) {
    const KeyAnswer a = answer_offer(*find_key_rule("AuthMethod"), *method, auth_required ? "CHAP" : "None");
    if (a.rejected) {
      why = "AuthMethod " + *method + " is not acceptable";
      return false;
    }
    out.emplace_back("AuthMethod", a.value);
    chap_chosen_ = a.result == "CHAP";
    authenticated_ = a.result == "None";
  }
  if (const std::string* alg = find_key(keys, "CHAP_A")) {
    if (!chap_chosen_ || chap_challenged_) {
      why = "CHAP_A out of sequence";
      return false;
    }
    const KeyAnswer a = answer_offer(KeyRule{"CHAP_A", KeyKind::List, ""}, *alg, kChapAlgorithmMd5);
    if (a.rejected) {
      why = "no CHAP algorithm in common (MD5 required)";
      return false;
    }
    chap_id_ = static_cast<std::uint8_t>(rng_());
    challenge_.resize(kChapChallengeBytes);
    for (auto& b : challenge_) b = static_cast<std::uint8_t>(rng_());
    out.emplace_back("CHAP_A", a.value);
    out.emplace_back("CHAP_I", std::to_string(chap_id_));
    out.emplace_back("CHAP_C", encode_binary(challenge_.data(), challenge_.size()));
    chap_challenged_ = true;
  }
  const std::string* name = find_key(keys, "CHAP_N");
  const std::string* resp = find_key(keys, "CHAP_R");
  if (name || resp) {
    const auto got = resp ? decode_binary(*resp) : std::nullopt;
    const auto want = chap_response(chap_id_, id_.chap.secret, challenge_);
    if (!chap_challenged_ || !name || *name != id_.chap.name || !got || got->size() != want.size() ||
        !std::equal(want.begin(), want.end(), got->begin())) {
      why = "CHAP authentication failed for " + (name ? *name : std::string("(no name)"));
      return false;
    }
    const std::string* mi = find_key(keys, "CHAP_I");
    const std::string* mc = find_key(keys, "CHAP_C");
    if (mi || mc) {
      const auto challenge = mc ? decode_binary(*mc) : std::nullopt;
      const auto identifier = mi ? parse_chap_identifier(*mi) : std::nullopt;
      // A challenge equal to ours would let an attacker reflect our own answer back.
      if (id_.mutual_chap.empty() || !challenge || !identifier || *challenge == challenge_) {
        why = "mutual CHAP refused";
        return false;
      }
      const auto r = chap_response(*identifier, id_.mutual_chap.secret, *challenge);
      out.emplace_back("CHAP_N", id_.mutual_chap.name);
      out.emplace_back("CHAP_R", encode_binary(r.data(), r.size()));
    }
    authenticated_ = true;
  }
  return true;
}

}  // namespace iscsim::stack::iscsi
