#pragma once
// CHAP for iSCSI login (RFC 7143 section 12.1.3, RFC 1994): the MD5 response to a challenge,
// and the hex encoding iSCSI uses for binary key values.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iscsim::stack::iscsi {

// A CHAP user name and its secret (one direction of authentication).
struct ChapCredential {
  std::string name;
  std::string secret;
  bool empty() const { return name.empty(); }
};

inline constexpr std::size_t kChapMd5Bytes = 16;
inline constexpr const char* kChapAlgorithmMd5 = "5";  // CHAP_A value for MD5 (RFC 1994)
inline constexpr std::size_t kChapChallengeBytes = 16;

// RFC 1994 section 4.1: MD5 over identifier, secret and challenge.
std::array<std::uint8_t, kChapMd5Bytes> chap_response(std::uint8_t identifier, const std::string& secret,
                                                       const std::vector<std::uint8_t>& challenge);

// CHAP_I: a decimal identifier 0..255.
std::optional<std::uint8_t> parse_chap_identifier(const std::string& value);

// Binary values as "0x" followed by hex digits (RFC 7143 section 6.1).
std::string encode_binary(const std::uint8_t* data, std::size_t len);
// Accepts "0x"/"0X" hex and "0b"/"0B" base64; nothing when malformed.
std::optional<std::vector<std::uint8_t>> decode_binary(const std::string& value);

}  // namespace iscsim::stack::iscsi
