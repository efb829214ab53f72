#pragma once
// A socket buffer as the costed hosts place it in memory: its struct sk_buff and its data, each
// from its own slab cache, the route it was received on, and where a received frame's payload
// starts in its data.
#include <cstddef>
#include <cstdint>

#include "models/memory/AddressSpace.hpp"
#include "sim/stack/net/FrameCodec.hpp"

namespace iscsim::host::kernel {

struct Skb {
  models::Addr head = 0;
  models::Addr data = 0;  // the kmalloc object of its data
  models::Addr dst = 0;  // the route it holds a reference on (skb->dst), 0: none
  models::Addr payload = 0;  // a received frame's TCP payload, past its headers; 0: not known
};

// The bytes of a received frame's headers (Ethernet, IP, and TCP with its options), where its
// payload starts; a frame whose headers do not parse is all headers.
inline std::uint32_t frame_header_bytes(const std::uint8_t* frame, std::size_t bytes) {
  stack::net::FrameHeaders headers;
  if (!stack::net::read_headers(frame, bytes, headers)) return static_cast<std::uint32_t>(bytes);
  return static_cast<std::uint32_t>(bytes - headers.payload_bytes);
}

}  // namespace iscsim::host::kernel
