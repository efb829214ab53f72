#pragma once
// iSCSI URLs as libiscsi writes them, so one URL serves both tools:
//   iscsi://[USER[%SECRET]@]HOST[:PORT]/TARGET-IQN/LUN[?target_user=U&target_password=P]
// USER%SECRET is the CHAP credential the initiator answers with; target_user/target_password
// is what the target must answer with (mutual CHAP).
#include <cstdint>
#include <string>

#include "sim/stack/iscsi/Chap.hpp"
#include "sim/wire/Socket.hpp"

namespace iscsim::wire {

struct IscsiUrl {
  HostPort portal;
  std::string target_name;
  std::uint64_t lun = 0;
  stack::iscsi::ChapCredential chap;
  stack::iscsi::ChapCredential mutual_chap;
};

// Throws BadWireInput naming the part that is wrong.
IscsiUrl parse_iscsi_url(const std::string& text);

}  // namespace iscsim::wire
