#pragma once
// iSCSI PDU framing on a TCP byte stream (RFC 7143 section 11.2): BHS, AHS, optional header
// digest, data segment padded to 4 bytes, optional data digest. The decoder is incremental and
// applies the digest settings in force when each PDU is taken out, so a connection can switch
// them at the end of login exactly on a PDU boundary.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/stack/iscsi/Bhs.hpp"

namespace iscsim::stack::iscsi {

struct Pdu {
  Bhs bhs;
  std::vector<std::uint8_t> ahs;   // a multiple of 4 bytes
  std::vector<std::uint8_t> data;  // the data segment without padding
};

// HeaderDigest / DataDigest as negotiated (CRC32C or None).
struct DigestSettings {
  bool header = false;
  bool data = false;
};

inline constexpr std::size_t kDigestBytes = 4;
inline constexpr std::size_t kPadAlignment = 4;
// The DataSegmentLength field is 24 bits.
inline constexpr std::uint32_t kMaxDataSegmentField = (1u << 24) - 1;

std::size_t padded(std::size_t n);
// Bytes the PDU takes on the wire with these digests.
std::size_t encoded_size(const Pdu& pdu, const DigestSettings& digests);
// Appends the PDU's wire bytes; fills in TotalAHSLength and DataSegmentLength from the PDU.
void encode_pdu(const Pdu& pdu, const DigestSettings& digests, std::vector<std::uint8_t>& out);
// The same for a PDU whose data segment is [data, data+len), encoded from where it lies
// (pdu.data is not used): a data PDU's payload is copied once, straight onto the wire.
void encode_pdu(const Pdu& pdu, const std::uint8_t* data, std::size_t len, const DigestSettings& digests,
                std::vector<std::uint8_t>& out);

class PduDecoder {
 public:
  enum class Error { None, HeaderDigest, DataDigest, DataSegmentTooLong };

  explicit PduDecoder(std::uint32_t max_data_segment = kMaxDataSegmentField) : max_data_(max_data_segment) {}

  // Digests in force from the next PDU not yet returned.
  void set_digests(const DigestSettings& d);
  // MaxRecvDataSegmentLength we declared: a longer data segment is a protocol error.
  void set_max_data_segment(std::uint32_t bytes) { max_data_ = bytes; }

  // Appends bytes to decode, copied.
  void feed(const std::uint8_t* data, std::size_t len);
  // Lends bytes to decode where they lie: a data segment whole in them is copied once, straight
  // into the PDU. settle() must follow before they go away.
  void lend(const std::uint8_t* data, std::size_t len);
  // Keeps a copy of the lent bytes next() did not take.
  void settle();
  // The next complete PDU, or nothing when more bytes are needed or an error stopped decoding.
  std::optional<Pdu> next();
  // next() into `out`, whose buffers keep their capacity from PDU to PDU; false for nothing
  // (`out` is then unspecified).
  bool next(Pdu& out);

  Error error() const { return error_; }
  std::string error_text() const;
  std::size_t buffered() const { return kept_.size() - pos_ + lent_len_ + head_.size() + body_.size(); }

 private:
  // Moves up to `want` input bytes (kept ones first, then lent) to the end of `to`.
  void pull(std::vector<std::uint8_t>& to, std::size_t want);
  void advance(std::size_t n);
  // Puts the PDU begun in head_ and body_ back in front of the input, to be parsed afresh.
  void unparse();

  // Input not yet taken: kept_ from pos_, then the lent bytes.
  std::vector<std::uint8_t> kept_;
  std::size_t pos_ = 0;
  const std::uint8_t* lent_ = nullptr;
  std::size_t lent_len_ = 0;
  // The PDU being assembled: its header (BHS, AHS, header digest), and its data segment with
  // padding and data digest when that arrives in pieces (swapped into the PDU when whole).
  std::vector<std::uint8_t> head_;
  std::vector<std::uint8_t> body_;
  DigestSettings digests_;
  std::uint32_t max_data_;
  Error error_ = Error::None;
};

}  // namespace iscsim::stack::iscsi
