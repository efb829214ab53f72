#pragma once
// Link and network addresses of one flow: what the Ethernet and IPv4 headers carry.
#include <array>
#include <cstdint>
#include <string>

namespace iscsim::stack::net {

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  std::string to_string() const;
  bool operator==(const MacAddress& o) const { return bytes == o.bytes; }
  bool operator!=(const MacAddress& o) const { return !(*this == o); }
};

struct Ipv4Address {
  std::uint32_t value = 0;  // host byte order
  std::string to_string() const;
  bool operator==(const Ipv4Address& o) const { return value == o.value; }
  bool operator!=(const Ipv4Address& o) const { return !(*this == o); }
};

// Who sends a frame to whom, at both layers.
struct FlowAddress {
  MacAddress src_mac;
  MacAddress dst_mac;
  Ipv4Address src_ip;
  Ipv4Address dst_ip;
};

}  // namespace iscsim::stack::net
