#include "sim/world/Addressing.hpp"

#include "sim/world/SplitMix64.hpp"

namespace iscsim::world {

namespace {
constexpr std::uint8_t kLocalMacPrefix = 0x02;  // IEEE 802: locally administered, unicast
constexpr std::uint8_t kInitiatorHost = 1;
constexpr std::uint8_t kTargetHost = 2;
constexpr std::uint32_t kPrivateNet = 10u << 24;  // RFC 1918 10.0.0.0/8
constexpr int kSubnetShift = 8;

stack::net::MacAddress mac(int nic, std::uint8_t host) {
  return stack::net::MacAddress{{kLocalMacPrefix, 0, 0, 0, static_cast<std::uint8_t>(nic), host}};
}
stack::net::Ipv4Address ip(int nic, std::uint8_t host) {
  return stack::net::Ipv4Address{kPrivateNet | (static_cast<std::uint32_t>(nic) << kSubnetShift) | host};
}

}  // namespace

NicAddresses nic_addresses(int nic_index) {
  NicAddresses a;
  a.initiator_to_target = {mac(nic_index, kInitiatorHost), mac(nic_index, kTargetHost), ip(nic_index, kInitiatorHost),
                           ip(nic_index, kTargetHost)};
  a.target_to_initiator = {mac(nic_index, kTargetHost), mac(nic_index, kInitiatorHost), ip(nic_index, kTargetHost),
                           ip(nic_index, kInitiatorHost)};
  return a;
}

std::uint64_t SeedSequence::derive(SeedPurpose purpose, std::uint64_t instance) const {
  return splitmix64(splitmix64(seed_ ^ splitmix64(static_cast<std::uint64_t>(purpose))) + instance);
}

}  // namespace iscsim::world
