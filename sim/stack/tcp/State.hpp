#pragma once
// The RFC 9293 connection states.
#include <string_view>

namespace iscsim::stack::tcp {

enum class State {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};

std::string_view state_name(State s);

}  // namespace iscsim::stack::tcp
