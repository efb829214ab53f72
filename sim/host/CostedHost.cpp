#include "sim/host/CostedHost.hpp"

namespace iscsim::host {

const char* role_name(CpuRole role) {
  switch (role) {
    case CpuRole::Host:
      return "host";
    case CpuRole::Ppe:
      return "ppe";
    case CpuRole::Cpu:
      break;
  }
  return "cpu";
}

}  // namespace iscsim::host
