#include "sim/stack/iscsi/TextKeys.hpp"

#include <cctype>

namespace iscsim::stack::iscsi {

namespace {
// RFC 7143 section 6.1: key names are letters, digits, '.', '-', '+', '@', '_'.
bool key_char(unsigned char c) {
  return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '+' || c == '@' || c == '_';
}
}  // namespace

std::vector<std::uint8_t> encode_text(const KeyValues& kv) {
  std::vector<std::uint8_t> out;
  for (const auto& [k, v] : kv) {
    out.insert(out.end(), k.begin(), k.end());
    out.push_back('=');
    out.insert(out.end(), v.begin(), v.end());
    out.push_back('\0');
  }
  return out;
}

TextParse parse_text(const std::uint8_t* data, std::size_t len) {
  TextParse r;
  std::size_t i = 0;
  while (i < len) {
    // Padding NULs after the last pair are not pairs.
    if (data[i] == '\0') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < len && data[end] != '\0') ++end;
    const std::string item(reinterpret_cast<const char*>(data + i), end - i);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos) {
      r.error = "key without '=': " + item.substr(0, kMaxKeyName);
      return r;
    }
    const std::string key = item.substr(0, eq);
    if (key.empty() || key.size() > kMaxKeyName) {
      r.error = "bad key name length";
      return r;
    }
    for (unsigned char c : key)
      if (!key_char(c)) {
        r.error = "bad character in key " + key;
        return r;
      }
    if (item.size() - eq - 1 > kMaxValue) {
      r.error = "value too long for key " + key;
      return r;
    }
    r.pairs.emplace_back(key, item.substr(eq + 1));
    i = end + 1;
  }
  return r;
}

const std::string* find_key(const KeyValues& kv, const std::string& key) {
  for (const auto& [k, v] : kv)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace iscsim::stack::iscsi
