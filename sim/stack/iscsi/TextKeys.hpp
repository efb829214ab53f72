#pragma once
// Login and Text data segments: key=value pairs, each ending in a NUL (RFC 7143 section 6).
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace iscsim::stack::iscsi {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// Limits of RFC 7143 section 6.1: key names up to 63 bytes; values up to 255 bytes, except
// the few keys whose values may be long (text of up to 8192 bytes).
inline constexpr std::size_t kMaxKeyName = 63;
inline constexpr std::size_t kMaxValue = 8192;

std::vector<std::uint8_t> encode_text(const KeyValues& kv);

// The pairs, or a one-line reason the segment is malformed.
struct TextParse {
  KeyValues pairs;
  std::string error;
  bool ok() const { return error.empty(); }
};
TextParse parse_text(const std::uint8_t* data, std::size_t len);

// The value of `key` in `kv`, or null.
const std::string* find_key(const KeyValues& kv, const std::string& key);

}  // namespace iscsim::stack::iscsi
