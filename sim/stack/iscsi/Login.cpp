#include "sim/stack/iscsi/Login.hpp"

namespace iscsim::stack::iscsi {

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

}  // namespace iscsim::stack::iscsi
