#include "sim/stack/iscsi/Chap.hpp"

#include <nettle/md5.h>

#include <charconv>
#include <string_view>

#include "sim/stack/common/BigEndian.hpp"

namespace iscsim::stack::iscsi {

namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";
constexpr std::string_view kBase64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr unsigned kNibbleBits = 4;
constexpr unsigned kNibbleMask = 0xF;
constexpr unsigned kSextetBits = 6;
constexpr std::size_t kPrefixBytes = 2;  // "0x" or "0b"

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<std::uint8_t>> decode_hex(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  std::vector<std::uint8_t> out;
  // An odd count has an implied leading zero.
  std::size_t i = 0;
  if (digits.size() % 2 == 1) {
    const int v = hex_value(digits[0]);
    if (v < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(v));
    i = 1;
  }
  for (; i < digits.size(); i += 2) {
    const int hi = hex_value(digits[i]);
    const int lo = hex_value(digits[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>((hi << kNibbleBits) | lo));
  }
  return out;
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view digits) {
  std::vector<std::uint8_t> out;
  unsigned acc = 0;
  unsigned bits = 0;
  std::size_t pads = 0;
  for (char c : digits) {
    if (c == '=') {
      ++pads;
      continue;
    }
    const auto v = kBase64Digits.find(c);
    if (v == std::string_view::npos || pads > 0) return std::nullopt;
    acc = (acc << kSextetBits) | static_cast<unsigned>(v);
    bits += kSextetBits;
    if (bits >= kBitsPerByte) {
      bits -= kBitsPerByte;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & kByteMask));
    }
  }
  if (out.empty() || pads > 2) return std::nullopt;
  return out;
}

}  // namespace

std::array<std::uint8_t, kChapMd5Bytes> chap_response(std::uint8_t identifier, const std::string& secret,
                                                       const std::vector<std::uint8_t>& challenge) {
  md5_ctx ctx;
  md5_init(&ctx);
  md5_update(&ctx, 1, &identifier);
  md5_update(&ctx, secret.size(), reinterpret_cast<const std::uint8_t*>(secret.data()));
  md5_update(&ctx, challenge.size(), challenge.data());
  std::array<std::uint8_t, kChapMd5Bytes> digest{};
  md5_digest(&ctx, digest.size(), digest.data());
  return digest;
}

std::optional<std::uint8_t> parse_chap_identifier(const std::string& value) {
  constexpr unsigned kMaxIdentifier = 255;
  unsigned v = 0;
  const auto* end = value.data() + value.size();
  auto [p, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || p != end || v > kMaxIdentifier) return std::nullopt;
  return static_cast<std::uint8_t>(v);
}

std::string encode_binary(const std::uint8_t* data, std::size_t len) {
  std::string s = "0x";
  s.reserve(kPrefixBytes + 2 * len);
  for (std::size_t i = 0; i < len; ++i) {
    s.push_back(kHexDigits[(data[i] >> kNibbleBits) & kNibbleMask]);
    s.push_back(kHexDigits[data[i] & kNibbleMask]);
  }
  return s;
}

std::optional<std::vector<std::uint8_t>> decode_binary(const std::string& value) {
  if (value.size() <= kPrefixBytes || value[0] != '0') return std::nullopt;
  const std::string_view digits(value.data() + kPrefixBytes, value.size() - kPrefixBytes);
  if (value[1] == 'x' || value[1] == 'X') return decode_hex(digits);
  if (value[1] == 'b' || value[1] == 'B') return decode_base64(digits);
  return std::nullopt;
}

}  // namespace iscsim::stack::iscsi
