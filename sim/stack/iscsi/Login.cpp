#include "sim/stack/iscsi/Login.hpp"

#include <cstdio>

namespace iscsim::stack::iscsi {

namespace {

constexpr std::uint8_t kRedirection = 0x01;  // status class 1 (section 11.13.5)

// The detail names of section 11.13.5, indexed by detail within each class.
const char* const kRedirectionDetails[] = {nullptr, "target moved temporarily", "target moved permanently"};
const char* const kInitiatorErrorDetails[] = {
    "initiator error",   "authentication failure",   "authorization failure",      "target not found",
    "target removed",    "unsupported version",      "too many connections",       "missing parameter",
    "can't include in session", "session type not supported", "session does not exist",
    "invalid during login"};
const char* const kTargetErrorDetails[] = {"target error", "service unavailable", "out of resources"};

template <std::size_t N>
const char* detail_name(const char* const (&names)[N], std::uint8_t detail) {
  return detail < N ? names[detail] : nullptr;
}

}  // namespace

LoginStages login_stages(const Bhs& bhs) {
  const std::uint8_t f = bhs.u8(bhs::kFlags);
  LoginStages s;
  s.transit = (f & login::kTransit) != 0;
  s.cont = (f & login::kContinue) != 0;
  s.csg = static_cast<Stage>((f >> login::kCsgShift) & login::kStageMask);
  s.nsg = static_cast<Stage>(f & login::kStageMask);
  return s;
}

void set_login_stages(Bhs& bhs, const LoginStages& s) {
  std::uint8_t f = 0;
  if (s.transit) f |= login::kTransit;
  if (s.cont) f |= login::kContinue;
  f |= static_cast<std::uint8_t>(static_cast<std::uint8_t>(s.csg) << login::kCsgShift);
  if (s.transit) f |= static_cast<std::uint8_t>(s.nsg);
  bhs.set_u8(bhs::kFlags, f);
}

std::string login_status_text(std::uint8_t status_class, std::uint8_t status_detail) {
  const char* cls = "unknown status class";
  const char* detail = nullptr;
  if (status_class == login::kSuccess) {
    cls = "success";
  } else if (status_class == kRedirection) {
    cls = "redirection";
    detail = detail_name(kRedirectionDetails, status_detail);
  } else if (status_class == login::kInitiatorError) {
    cls = "initiator error";
    detail = detail_name(kInitiatorErrorDetails, status_detail);
  } else if (status_class == login::kTargetError) {
    cls = "target error";
    detail = detail_name(kTargetErrorDetails, status_detail);
  }
  char code[sizeof "0xFFFF"];
  std::snprintf(code, sizeof code, "0x%02X%02X", status_class, status_detail);
  std::string text(cls);
  // Detail 0 of an error class repeats the class name.
  if (detail != nullptr && text != detail) text += std::string(": ") + detail;
  if (detail == nullptr && status_class != login::kSuccess) text += ": unknown detail";
  return text + " (status " + code + ")";
}

}  // namespace iscsim::stack::iscsi
