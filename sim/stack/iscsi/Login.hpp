#pragma once
// What both ends of a login share (RFC 7143 sections 6 and 11.12-11.13): identities, the stage
// flags of Login PDUs, and how a login ends.
#include <array>
#include <cstdint>
#include <string>

#include "sim/stack/iscsi/Bhs.hpp"
#include "sim/stack/iscsi/Chap.hpp"
#include "sim/stack/iscsi/PduFields.hpp"

namespace iscsim::stack::iscsi {

using Isid = std::array<std::uint8_t, login::kIsidBytes>;

struct InitiatorIdentity {
  std::string initiator_name = "iqn.2004-01.org.iscsim:initiator";
  std::string target_name;  // empty: a discovery session
  Isid isid{0x80, 0x00, 0x00, 0x00, 0x00, 0x01};  // random-format ISID (section 11.12.5)
  ChapCredential chap;         // what we answer the target's challenge with; empty: no CHAP
  ChapCredential mutual_chap;  // what the target must answer our challenge with; empty: one-way
};

struct TargetIdentity {
  std::string target_name = "iqn.2004-01.org.iscsim:ramdisk";
  std::string target_alias;
  std::uint16_t portal_group_tag = 1;
  std::string target_address;  // "ip:port,tag" for SendTargets; empty: none
  ChapCredential chap;         // what an initiator must present; empty: no authentication
  ChapCredential mutual_chap;  // what we answer an initiator's challenge with
};

struct LoginStages {
  bool transit = false;
  bool cont = false;
  Stage csg = Stage::Security;
  Stage nsg = Stage::Security;
};
LoginStages login_stages(const Bhs& bhs);
void set_login_stages(Bhs& bhs, const LoginStages& s);

enum class LoginOutcome { InProgress, Succeeded, Failed };

// A Login Response's status class and detail in words, as RFC 7143 section 11.13.5 names them,
// with the raw value: "initiator error: target not found (status 0x0203)".
std::string login_status_text(std::uint8_t status_class, std::uint8_t status_detail);

}  // namespace iscsim::stack::iscsi
