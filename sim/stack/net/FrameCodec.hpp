#pragma once
// Real frame bytes: Ethernet II + IPv4 + TCP headers around a segment, built and parsed with
// their checksums (RFC 791, RFC 9293), the frame as a capture sees it (no preamble or FCS).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/stack/net/Addresses.hpp"
#include "sim/stack/tcp/Segment.hpp"

namespace iscsim::stack::net {

inline constexpr std::size_t kEthernetHeaderBytes = 14;  // IEEE 802.3: two MACs + EtherType
inline constexpr std::size_t kIpv4HeaderBytes = 20;      // RFC 791, no options
inline constexpr std::size_t kTcpHeaderBytes = 20;       // RFC 9293, no options
inline constexpr std::size_t kMinFrameBytes = 60;        // 64-byte minimum less the 4-byte FCS

// Option bytes build_frame emits for these options (a multiple of 4).
std::size_t tcp_options_bytes(const tcp::Options& options, bool syn);

std::vector<std::uint8_t> build_frame(const FlowAddress& addr, std::uint16_t ip_id, const tcp::Segment& seg);
// build_frame into `out`, whose capacity is reused (a recycled frame: no allocation).
void build_frame_into(std::vector<std::uint8_t>& out, const FlowAddress& addr, std::uint16_t ip_id,
                      const tcp::Segment& seg);

// What a frame held.
struct ParsedFrame {
  FlowAddress addr;
  std::uint16_t ip_id = 0;
  tcp::Segment segment;
};

// A parsed frame or the reason it was rejected.
class ParseResult {
 public:
  static ParseResult success(ParsedFrame frame) { return ParseResult(std::move(frame), {}); }
  static ParseResult failure(std::string error) { return ParseResult({}, std::move(error)); }

  bool ok() const { return error_.empty(); }
  const ParsedFrame& frame() const { return frame_; }  // precondition: ok()
  const std::string& error() const { return error_; }

 private:
  ParseResult(ParsedFrame frame, std::string error) : frame_(std::move(frame)), error_(std::move(error)) {}
  ParsedFrame frame_;
  std::string error_;
};

// Never reads outside [data, data+len); any malformed or corrupted frame yields an error.
ParseResult parse_frame(const std::uint8_t* data, std::size_t len);
// parse_frame into `out`, whose payload keeps its capacity from frame to frame (no allocation
// in steady state); nullptr, or why the frame was rejected (`out` is then unspecified).
const char* parse_frame_into(const std::uint8_t* data, std::size_t len, ParsedFrame& out);

// A frame's header fields and payload length, its payload not copied.
struct FrameHeaders {
  ParsedFrame frame;  // its segment's payload left empty
  std::size_t payload_bytes = 0;
};
// Reads the headers of a frame the caller has just built, for its own bookkeeping, without
// verifying the checksums (whoever receives the frame verifies it); false if malformed.
bool read_headers(const std::uint8_t* data, std::size_t len, FrameHeaders& out);

}  // namespace iscsim::stack::net
