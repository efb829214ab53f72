#include "sim/stack/net/FrameCodec.hpp"

#include <algorithm>
#include <cstring>

#include "sim/stack/common/BigEndian.hpp"
#include "sim/stack/net/Checksum.hpp"

namespace iscsim::stack::net {

namespace {

constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint8_t kIpv4VersionIhl = 0x45;  // version 4, 5 words
constexpr std::uint8_t kIpVersion = 4;
constexpr std::uint16_t kIpDontFragment = 0x4000;
constexpr std::uint16_t kIpMoreFragments = 0x2000;
constexpr std::uint16_t kIpFragmentOffset = 0x1FFF;
constexpr std::uint8_t kIpTtl = 64;  // Linux sysctl ip_default_ttl
constexpr std::uint8_t kIpProtoTcp = 6;
constexpr std::size_t kHeaderWordBytes = 4;  // IHL, data offset and the pseudo-header count 32-bit words
constexpr std::size_t kMaxTcpHeaderBytes = 60;

// TCP option kinds and lengths (RFC 9293, RFC 7323, RFC 2018).
constexpr std::uint8_t kOptEol = 0;
constexpr std::uint8_t kOptNop = 1;
constexpr std::uint8_t kOptMss = 2;
constexpr std::uint8_t kOptWscale = 3;
constexpr std::uint8_t kOptSackPermitted = 4;
constexpr std::uint8_t kOptSack = 5;
constexpr std::uint8_t kOptTimestamps = 8;
constexpr std::uint8_t kLenMss = 4;
constexpr std::uint8_t kLenWscale = 3;
constexpr std::uint8_t kLenSackPermitted = 2;
constexpr std::uint8_t kLenTimestamps = 10;
constexpr std::uint8_t kLenSackBase = 2;
constexpr std::uint8_t kLenSackBlock = 8;

// Header field offsets.
constexpr std::size_t kEthType = 12;
constexpr std::size_t kIpTotalLength = 2, kIpId = 4, kIpFlags = 6, kIpTtlAt = 8, kIpProto = 9, kIpChecksum = 10,
                      kIpSrc = 12, kIpDst = 16;
constexpr std::size_t kTcpSeq = 4, kTcpAck = 8, kTcpOffset = 12, kTcpFlags = 13, kTcpWindow = 14, kTcpChecksum = 16;

void put16(std::uint8_t* p, std::uint16_t v) { store_be<2>(p, v); }
void put32(std::uint8_t* p, std::uint32_t v) { store_be<4>(p, v); }
std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>(load_be<2>(p)); }
std::uint32_t get32(const std::uint8_t* p) { return static_cast<std::uint32_t>(load_be<4>(p)); }

// Sum of the RFC 9293 pseudo-header: addresses, protocol and TCP length.
std::uint32_t pseudo_header_sum(std::uint32_t src, std::uint32_t dst, std::size_t tcp_len) {
  std::uint8_t ph[12];
  put32(ph, src);
  put32(ph + 4, dst);
  ph[8] = 0;
  ph[9] = kIpProtoTcp;
  put16(ph + 10, static_cast<std::uint16_t>(tcp_len));
  return checksum_words(ph, sizeof ph / kHeaderWordBytes);
}

std::uint8_t* put_timestamps(std::uint8_t* p, const tcp::Timestamps& ts) {
  *p++ = kOptTimestamps;
  *p++ = kLenTimestamps;
  put32(p, ts.value);
  put32(p + 4, ts.echo_reply);
  return p + 8;
}

// Linux's layouts (tcp_output.c, tcp_syn_build_options / tcp_build_and_update_options).
std::size_t write_options(std::uint8_t* start, const tcp::Options& o, bool syn) {
  std::uint8_t* p = start;
  if (syn) {
    if (o.mss) {
      *p++ = kOptMss;
      *p++ = kLenMss;
      put16(p, *o.mss);
      p += 2;
    }
    if (o.sack_permitted && o.timestamps) {
      *p++ = kOptSackPermitted;
      *p++ = kLenSackPermitted;
      p = put_timestamps(p, *o.timestamps);
    } else if (o.timestamps) {
      *p++ = kOptNop;
      *p++ = kOptNop;
      p = put_timestamps(p, *o.timestamps);
    } else if (o.sack_permitted) {
      *p++ = kOptNop;
      *p++ = kOptNop;
      *p++ = kOptSackPermitted;
      *p++ = kLenSackPermitted;
    }
    if (o.window_scale) {
      *p++ = kOptNop;
      *p++ = kOptWscale;
      *p++ = kLenWscale;
      *p++ = *o.window_scale;
    }
  } else {
    if (o.timestamps) {
      *p++ = kOptNop;
      *p++ = kOptNop;
      p = put_timestamps(p, *o.timestamps);
    }
    if (o.sack_count > 0) {  // NOP, NOP, then the blocks (tcp_build_and_update_options)
      *p++ = kOptNop;
      *p++ = kOptNop;
      *p++ = kOptSack;
      *p++ = static_cast<std::uint8_t>(kLenSackBase + kLenSackBlock * o.sack_count);
      for (std::size_t i = 0; i < o.sack_count; ++i) {
        put32(p, o.sack[i].start);
        put32(p + 4, o.sack[i].end);
        p += kLenSackBlock;
      }
    }
  }
  while ((p - start) % kHeaderWordBytes != 0) *p++ = kOptEol;
  return static_cast<std::size_t>(p - start);
}

// Parses the option bytes; false on a malformed option.
bool read_options(const std::uint8_t* p, std::size_t len, tcp::Options& o) {
  std::size_t i = 0;
  while (i < len) {
    const std::uint8_t kind = p[i];
    if (kind == kOptEol) break;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= len) return false;
    const std::uint8_t olen = p[i + 1];
    if (olen < 2 || i + olen > len) return false;
    const std::uint8_t* v = p + i + 2;
    switch (kind) {
      case kOptMss:
        if (olen != kLenMss) return false;
        o.mss = get16(v);
        break;
      case kOptWscale:
        if (olen != kLenWscale) return false;
        o.window_scale = v[0];
        break;
      case kOptSackPermitted:
        if (olen != kLenSackPermitted) return false;
        o.sack_permitted = true;
        break;
      case kOptSack: {
        const std::size_t blocks = (olen - kLenSackBase) / kLenSackBlock;
        if ((olen - kLenSackBase) % kLenSackBlock != 0 || blocks == 0 || blocks > tcp::kMaxSackBlocks) return false;
        for (std::size_t b = 0; b < blocks; ++b)
          o.sack[b] = tcp::SackBlock{get32(v + b * kLenSackBlock), get32(v + b * kLenSackBlock + 4)};
        o.sack_count = static_cast<std::uint8_t>(blocks);
        break;
      }
      case kOptTimestamps:
        if (olen != kLenTimestamps) return false;
        o.timestamps = tcp::Timestamps{get32(v), get32(v + 4)};
        break;
      default:
        break;  // unknown options are skipped by their length
    }
    i += olen;
  }
  return true;
}

}  // namespace

std::size_t tcp_options_bytes(const tcp::Options& options, bool syn) {
  std::uint8_t scratch[kMaxTcpHeaderBytes - kTcpHeaderBytes];
  return write_options(scratch, options, syn);
}

std::vector<std::uint8_t> build_frame(const FlowAddress& addr, std::uint16_t ip_id, const tcp::Segment& seg) {
  std::vector<std::uint8_t> f;
  build_frame_into(f, addr, ip_id, seg);
  return f;
}

void build_frame_into(std::vector<std::uint8_t>& f, const FlowAddress& addr, std::uint16_t ip_id,
                      const tcp::Segment& seg) {
  const bool syn = seg.has(tcp::flag::kSyn);
  std::uint8_t options[kMaxTcpHeaderBytes - kTcpHeaderBytes];
  const std::size_t opt_len = write_options(options, seg.options, syn);
  const std::size_t tcp_len = kTcpHeaderBytes + opt_len + seg.payload.size();
  const std::size_t ip_len = kIpv4HeaderBytes + tcp_len;
  const std::size_t frame_len = kEthernetHeaderBytes + ip_len;
  // Every byte up to frame_len is written below; only a short frame's padding is zeroed here.
  f.resize(std::max(frame_len, kMinFrameBytes));
  std::fill(f.begin() + static_cast<std::ptrdiff_t>(frame_len), f.end(), 0);
  std::uint8_t* eth = f.data();
  // The header fields not set below (DSCP/ECN, urgent pointer, checksums before they are summed).
  std::fill(eth + kEthernetHeaderBytes, eth + kEthernetHeaderBytes + kIpv4HeaderBytes + kTcpHeaderBytes, 0);

  std::memcpy(eth, addr.dst_mac.bytes.data(), addr.dst_mac.bytes.size());
  std::memcpy(eth + addr.dst_mac.bytes.size(), addr.src_mac.bytes.data(), addr.src_mac.bytes.size());
  put16(eth + kEthType, kEtherTypeIpv4);

  std::uint8_t* ip = eth + kEthernetHeaderBytes;
  ip[0] = kIpv4VersionIhl;
  put16(ip + kIpTotalLength, static_cast<std::uint16_t>(ip_len));
  put16(ip + kIpId, ip_id);
  put16(ip + kIpFlags, kIpDontFragment);
  ip[kIpTtlAt] = kIpTtl;
  ip[kIpProto] = kIpProtoTcp;
  put32(ip + kIpSrc, addr.src_ip.value);
  put32(ip + kIpDst, addr.dst_ip.value);
  put16(ip + kIpChecksum, checksum_fold(checksum_words(ip, kIpv4HeaderBytes / kHeaderWordBytes)));

  std::uint8_t* tcp = ip + kIpv4HeaderBytes;
  put16(tcp, seg.src_port);
  put16(tcp + 2, seg.dst_port);
  put32(tcp + kTcpSeq, seg.seq);
  put32(tcp + kTcpAck, seg.ack);
  tcp[kTcpOffset] = static_cast<std::uint8_t>(((kTcpHeaderBytes + opt_len) / kHeaderWordBytes) << 4);
  tcp[kTcpFlags] = seg.flags;
  put16(tcp + kTcpWindow, seg.window);
  std::memcpy(tcp + kTcpHeaderBytes, options, opt_len);
  // The header (a whole number of 32-bit words) is summed first, then the payload as it is copied in.
  const std::size_t header_len = kTcpHeaderBytes + opt_len;
  std::uint32_t sum =
      checksum_words(tcp, header_len / kHeaderWordBytes, pseudo_header_sum(addr.src_ip.value, addr.dst_ip.value, tcp_len));
  if (!seg.payload.empty()) sum = checksum_copy(tcp + header_len, seg.payload.data(), seg.payload.size(), sum);
  put16(tcp + kTcpChecksum, checksum_fold(sum));
}

namespace {

// Where a parsed frame's payload lies in its bytes.
struct PayloadSpan {
  std::size_t offset = 0;
  std::size_t bytes = 0;
};

// What parse_headers does beyond reading the header fields.
enum class Parse {
  kHeaders,         // header fields only, no checksum verified, the payload untouched
  kVerifyAndCopy,   // both checksums verified, the payload copied into the segment as it is summed
};

// Reads every header field into `out` and checks the frame's structure and, as `mode` says,
// both checksums, in one fixed order; nullptr, or why it was rejected.
const char* parse_headers(const std::uint8_t* data, std::size_t len, Parse mode, ParsedFrame& out,
                          PayloadSpan& payload) {
  const bool verify = mode == Parse::kVerifyAndCopy;
  if (len < kEthernetHeaderBytes + kIpv4HeaderBytes + kTcpHeaderBytes) return "truncated frame";
  std::memcpy(out.addr.dst_mac.bytes.data(), data, out.addr.dst_mac.bytes.size());
  std::memcpy(out.addr.src_mac.bytes.data(), data + out.addr.dst_mac.bytes.size(), out.addr.src_mac.bytes.size());
  if (get16(data + kEthType) != kEtherTypeIpv4) return "not an IPv4 frame";

  const std::uint8_t* ip = data + kEthernetHeaderBytes;
  const std::size_t ip_room = len - kEthernetHeaderBytes;
  if ((ip[0] >> 4) != kIpVersion) return "not IPv4";
  const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0F) * kHeaderWordBytes;
  if (ihl < kIpv4HeaderBytes || ihl > ip_room) return "bad IPv4 header length";
  const std::size_t total = get16(ip + kIpTotalLength);
  if (total < ihl + kTcpHeaderBytes || total > ip_room) return "bad IPv4 total length";
  if (verify && checksum_fold(checksum_words(ip, ihl / kHeaderWordBytes)) != 0) return "bad IPv4 header checksum";
  const std::uint16_t frag = get16(ip + kIpFlags);
  if ((frag & kIpMoreFragments) != 0 || (frag & kIpFragmentOffset) != 0) return "IPv4 fragment";
  if (ip[kIpProto] != kIpProtoTcp) return "not TCP";
  out.ip_id = get16(ip + kIpId);
  out.addr.src_ip.value = get32(ip + kIpSrc);
  out.addr.dst_ip.value = get32(ip + kIpDst);

  const std::uint8_t* tcp = ip + ihl;
  const std::size_t tcp_len = total - ihl;
  const std::size_t doff = static_cast<std::size_t>(tcp[kTcpOffset] >> 4) * kHeaderWordBytes;
  if (doff < kTcpHeaderBytes || doff > tcp_len) return "bad TCP data offset";
  if (verify) {
    // The header (a whole number of 32-bit words) first, then the payload as it is copied out.
    std::uint32_t sum =
        checksum_words(tcp, doff / kHeaderWordBytes, pseudo_header_sum(out.addr.src_ip.value, out.addr.dst_ip.value, tcp_len));
    std::vector<std::uint8_t>& copy = out.segment.payload;
    copy.resize(tcp_len - doff);
    sum = checksum_copy(copy.data(), tcp + doff, copy.size(), sum);
    if (checksum_fold(sum) != 0) return "bad TCP checksum";
  }

  tcp::Segment& s = out.segment;
  s.src_port = get16(tcp);
  s.dst_port = get16(tcp + 2);
  s.seq = get32(tcp + kTcpSeq);
  s.ack = get32(tcp + kTcpAck);
  s.flags = tcp[kTcpFlags];
  s.window = get16(tcp + kTcpWindow);
  s.options = tcp::Options{};
  if (!read_options(tcp + kTcpHeaderBytes, doff - kTcpHeaderBytes, s.options)) return "malformed TCP option";
  payload.offset = static_cast<std::size_t>(tcp + doff - data);
  payload.bytes = tcp_len - doff;
  return nullptr;
}

}  // namespace

const char* parse_frame_into(const std::uint8_t* data, std::size_t len, ParsedFrame& out) {
  PayloadSpan payload;
  return parse_headers(data, len, Parse::kVerifyAndCopy, out, payload);
}

ParseResult parse_frame(const std::uint8_t* data, std::size_t len) {
  ParsedFrame out;
  if (const char* error = parse_frame_into(data, len, out)) return ParseResult::failure(error);
  return ParseResult::success(std::move(out));
}

bool read_headers(const std::uint8_t* data, std::size_t len, FrameHeaders& out) {
  out.frame.segment.payload.clear();
  PayloadSpan payload;
  if (parse_headers(data, len, Parse::kHeaders, out.frame, payload) != nullptr) return false;
  out.payload_bytes = payload.bytes;
  return true;
}

}  // namespace iscsim::stack::net
