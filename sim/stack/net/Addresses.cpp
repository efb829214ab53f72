#include "sim/stack/net/Addresses.hpp"

#include <cstdio>

namespace iscsim::stack::net {

std::string MacAddress::to_string() const {
  char text[sizeof "xx:xx:xx:xx:xx:xx"];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                bytes[5]);
  return text;
}

std::string Ipv4Address::to_string() const {
  constexpr unsigned kOctetBits = 8;
  constexpr std::uint32_t kOctet = 0xFF;
  std::string s;
  for (int shift = 3 * kOctetBits; shift >= 0; shift -= kOctetBits) {
    s += std::to_string((value >> shift) & kOctet);
    if (shift > 0) s += '.';
  }
  return s;
}

}  // namespace iscsim::stack::net
