#pragma once
// Who is who on the simulated wires: MAC and IPv4 addresses per NIC pair, and the independent
// random streams a run's seed fans out into (one per purpose and per instance).
#include <cstdint>

#include "sim/stack/net/Addresses.hpp"

namespace iscsim::world {

struct NicAddresses {
  stack::net::FlowAddress initiator_to_target;
  stack::net::FlowAddress target_to_initiator;
};

// NIC pair i: initiator 10.0.i.1, target 10.0.i.2 on a subnet of their own; locally
// administered MACs 02:00:00:00:i:01 and 02:00:00:00:i:02.
NicAddresses nic_addresses(int nic_index);

enum class SeedPurpose : std::uint64_t { LinkFaults = 1, InitialSequence = 2, Workload = 3, Chap = 4, NicClock = 5 };

class SeedSequence {
 public:
  explicit SeedSequence(std::uint64_t run_seed) : seed_(run_seed) {}
  std::uint64_t derive(SeedPurpose purpose, std::uint64_t instance) const;

 private:
  std::uint64_t seed_;
};

}  // namespace iscsim::world
