#include "sim/stack/iscsi/LoginInitiator.hpp"

#include "sim/stack/iscsi/TextKeys.hpp"

namespace iscsim::stack::iscsi {

namespace {
constexpr unsigned kStatusClassShift = 8;
}  // namespace

LoginInitiator::LoginInitiator(const InitiatorIdentity& id, const OperationalPrefs& prefs, std::uint32_t itt,
                               std::uint32_t cmd_sn, std::uint64_t challenge_seed)
    : id_(id), negotiator_(Role::Initiator, prefs), itt_(itt), cmd_sn_(cmd_sn), rng_(challenge_seed) {}

Pdu LoginInitiator::request(bool transit, Stage next, const KeyValues& keys) {
  Pdu p;
  p.bhs.set_opcode(Opcode::LoginRequest, true);  // login requests are always immediate
  set_login_stages(p.bhs, LoginStages{transit, false, stage_, next});
  p.bhs.set_u8(login::kVersionMax, login::kVersion);
  p.bhs.set_u8(login::kVersionActive, login::kVersion);
  for (std::size_t i = 0; i < login::kIsidBytes; ++i) p.bhs.set_u8(login::kIsid + i, id_.isid[i]);
  p.bhs.set_u16(login::kTsih, 0);  // a new session (or reinstatement of the old one)
  p.bhs.set_itt(itt_);
  p.bhs.set_u32(bhs::kCmdSn, cmd_sn_);
  p.bhs.set_u32(bhs::kExpStatSn, exp_stat_sn_);
  p.data = encode_text(keys);
  return p;
}

Pdu LoginInitiator::start() {
  KeyValues keys{{"InitiatorName", id_.initiator_name}};
  keys.emplace_back("SessionType", id_.target_name.empty() ? "Discovery" : "Normal");
  if (!id_.target_name.empty()) keys.emplace_back("TargetName", id_.target_name);
  keys.emplace_back("AuthMethod", id_.chap.empty() ? "None" : "CHAP,None");
  // Without CHAP we may leave the security stage at once.
  return request(id_.chap.empty(), Stage::Operational, keys);
}

std::optional<Pdu> LoginInitiator::fail(std::string why) {
  outcome_ = LoginOutcome::Failed;
  error_ = std::move(why);
  return std::nullopt;
}

std::optional<Pdu> LoginInitiator::on_response(const Pdu& rsp) {
  if (outcome_ != LoginOutcome::InProgress) return std::nullopt;
  if (rsp.bhs.opcode() != Opcode::LoginResponse) return fail("expected a Login Response during login");
  if (rsp.bhs.itt() != itt_) return fail("Login Response for another task tag");
  const std::uint8_t cls = rsp.bhs.u8(login::kStatusClass);
  status_ = static_cast<std::uint16_t>((cls << kStatusClassShift) | rsp.bhs.u8(login::kStatusDetail));
  if (cls != login::kSuccess)
    return fail("login refused: " + login_status_text(cls, rsp.bhs.u8(login::kStatusDetail)));
  exp_stat_sn_ = rsp.bhs.u32(bhs::kStatSn) + 1;
  tsih_ = rsp.bhs.u16(login::kTsih);
  exp_cmd_sn_ = rsp.bhs.u32(bhs::kExpCmdSn);
  max_cmd_sn_ = rsp.bhs.u32(bhs::kMaxCmdSn);
  const LoginStages st = login_stages(rsp.bhs);
  partial_.insert(partial_.end(), rsp.data.begin(), rsp.data.end());
  if (st.cont) {
    // The target has more text for this step: ask for it with an empty request.
    Pdu p = request(false, stage_, {});
    return p;
  }
  const TextParse parsed = parse_text(partial_.data(), partial_.size());
  partial_.clear();
  if (!parsed.ok()) return fail("malformed login text: " + parsed.error);
  if (st.csg != stage_) return fail("Login Response for another stage");
  return stage_ == Stage::Security ? security_step(st, parsed.pairs) : operational_step(st, parsed.pairs);
}

std::optional<Pdu> LoginInitiator::security_step(const LoginStages& st, const KeyValues& keys) {
  if (st.transit) {
    if (!id_.chap.empty() && !chap_answered_) {
      const std::string* method = find_key(keys, "AuthMethod");
      if (!method || *method != "None") return fail("target left the security stage before CHAP finished");
    }
    if (!check_mutual(keys)) return std::nullopt;
    stage_ = st.nsg;
    if (stage_ == Stage::FullFeature) {
      outcome_ = LoginOutcome::Succeeded;
      return std::nullopt;
    }
    return request(true, Stage::FullFeature, negotiator_.take_offers());
  }
  const std::string* method = find_key(keys, "AuthMethod");
  if (method && *method == "None") return request(true, Stage::Operational, {});
  if (method && *method != "CHAP") return fail("target chose AuthMethod=" + *method);
  if (!chap_sent_algorithm_) {
    chap_sent_algorithm_ = true;
    return request(false, Stage::Operational, {{"CHAP_A", kChapAlgorithmMd5}});
  }
  const std::string* a = find_key(keys, "CHAP_A");
  const std::string* i = find_key(keys, "CHAP_I");
  const std::string* c = find_key(keys, "CHAP_C");
  if (!a || !i || !c) return fail("CHAP challenge incomplete (CHAP_A, CHAP_I, CHAP_C)");
  if (*a != kChapAlgorithmMd5) return fail("target chose CHAP_A=" + *a + "; only MD5 (5) is supported");
  const auto challenge = decode_binary(*c);
  const auto identifier = parse_chap_identifier(*i);
  if (!challenge || !identifier) return fail("malformed CHAP_I or CHAP_C");
  const auto response = chap_response(*identifier, id_.chap.secret, *challenge);
  KeyValues reply{{"CHAP_N", id_.chap.name}, {"CHAP_R", encode_binary(response.data(), response.size())}};
  if (!id_.mutual_chap.empty()) {
    mutual_id_ = static_cast<std::uint8_t>(rng_());
    mutual_challenge_.resize(kChapChallengeBytes);
    for (auto& b : mutual_challenge_) b = static_cast<std::uint8_t>(rng_());
    reply.emplace_back("CHAP_I", std::to_string(mutual_id_));
    reply.emplace_back("CHAP_C", encode_binary(mutual_challenge_.data(), mutual_challenge_.size()));
  }
  chap_answered_ = true;
  return request(true, Stage::Operational, reply);
}

bool LoginInitiator::check_mutual(const KeyValues& keys) {
  if (id_.mutual_chap.empty()) return true;
  const std::string* n = find_key(keys, "CHAP_N");
  const std::string* r = find_key(keys, "CHAP_R");
  const auto got = r ? decode_binary(*r) : std::nullopt;
  const auto want = chap_response(mutual_id_, id_.mutual_chap.secret, mutual_challenge_);
  if (!n || *n != id_.mutual_chap.name || !got || got->size() != want.size() ||
      !std::equal(want.begin(), want.end(), got->begin())) {
    fail("target failed mutual CHAP authentication");
    return false;
  }
  return true;
}

std::optional<Pdu> LoginInitiator::operational_step(const LoginStages& st, const KeyValues& keys) {
  KeyValues replies;
  std::string why;
  if (!negotiator_.receive(keys, replies, why)) return fail(why);
  if (st.transit && st.nsg == Stage::FullFeature && replies.empty() && !negotiator_.awaiting_answers()) {
    outcome_ = LoginOutcome::Succeeded;
    return std::nullopt;
  }
  return request(true, Stage::FullFeature, replies);
}

}  // namespace iscsim::stack::iscsi
