#include "sim/wire/CliValues.hpp"

#include <cctype>
#include <charconv>

#include "sim/wire/Socket.hpp"

namespace iscsim::wire {

namespace {
constexpr unsigned kBinaryStep = 10;  // each unit is 1024 times the one before
}  // namespace

std::uint64_t parse_byte_size(const std::string& text) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  const std::string bad = "\"" + text + "\" is not a size (a number of bytes, or with K, M, G or T: 64M, 1GiB)";
  if (ec != std::errc() || p == text.data()) throw BadWireInput(bad);
  std::string unit(p, end);
  if (unit.size() == 3 && (unit.substr(1) == "iB" || unit.substr(1) == "ib")) unit.resize(1);
  if (unit.size() == 2 && (unit[1] == 'B' || unit[1] == 'b')) unit.resize(1);
  unsigned shift = 0;
  if (!unit.empty()) {
    const std::string units = "KMGT";
    const auto at = unit.size() == 1 ? units.find(static_cast<char>(std::toupper(unit[0]))) : std::string::npos;
    if (at == std::string::npos) throw BadWireInput(bad);
    shift = kBinaryStep * static_cast<unsigned>(at + 1);
  }
  if (shift > 0 && v > (UINT64_MAX >> shift)) throw BadWireInput("\"" + text + "\" is too large");
  return v << shift;
}

stack::iscsi::ChapCredential parse_chap_credential(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw BadWireInput("\"" + text + "\": a CHAP credential is USER:SECRET, neither empty");
  return {text.substr(0, colon), text.substr(colon + 1)};
}

}  // namespace iscsim::wire
