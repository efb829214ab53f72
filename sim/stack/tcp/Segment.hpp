#pragma once
// One TCP segment as the protocol core sees it: header fields, options and payload bytes.
// The wire codec (sim/stack/net) turns it into real header bytes and back.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace iscsim::stack::tcp {

// Header flag bits, RFC 9293 section 3.1.
namespace flag {
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
}  // namespace flag

// RFC 7323 timestamps option (TSval, TSecr).
struct Timestamps {
  std::uint32_t value = 0;
  std::uint32_t echo_reply = 0;
  bool operator==(const Timestamps& o) const { return value == o.value && echo_reply == o.echo_reply; }
};

// One SACK block (RFC 2018): the received bytes [start, end) in sequence space.
struct SackBlock {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  bool operator==(const SackBlock& o) const { return start == o.start && end == o.end; }
};

// The most SACK blocks an option holds: 4 fill its 40 bytes (RFC 2018 section 3), 3 beside
// timestamps.
inline constexpr std::size_t kMaxSackBlocks = 4;

// The options Linux 2.4 puts on these paths.
struct Options {
  std::optional<std::uint16_t> mss;          // SYN only (RFC 9293)
  std::optional<std::uint8_t> window_scale;  // SYN only (RFC 7323)
  bool sack_permitted = false;               // SYN only (RFC 2018)
  std::optional<Timestamps> timestamps;      // RFC 7323
  // SACK blocks (RFC 2018), a D-SACK first when there is one (RFC 2883); none on a SYN.
  std::array<SackBlock, kMaxSackBlocks> sack{};
  std::uint8_t sack_count = 0;
};

struct Segment {
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;  // the raw 16-bit field; scaling is the connection's business
  Options options;
  std::vector<std::uint8_t> payload;

  bool has(std::uint8_t f) const { return (flags & f) != 0; }
  // Sequence space consumed: payload plus one each for SYN and FIN.
  std::uint32_t seq_len() const {
    return static_cast<std::uint32_t>(payload.size()) + (has(flag::kSyn) ? 1u : 0u) +
           (has(flag::kFin) ? 1u : 0u);
  }
};

}  // namespace iscsim::stack::tcp
