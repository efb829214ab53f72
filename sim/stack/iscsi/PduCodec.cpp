#include "sim/stack/iscsi/PduCodec.hpp"

#include <cstring>

#include "sim/stack/iscsi/Crc32c.hpp"

namespace iscsim::stack::iscsi {

namespace {

constexpr unsigned kByteBits = 8;
constexpr std::uint32_t kByteMask = 0xFF;
// Settled bytes are dropped from the decoder's buffer once there are this many.
constexpr std::size_t kCompactBytes = 1 << 16;

// Digests go on the wire least significant byte first (RFC 7143 section 13.1, as Linux and
// libiscsi send them).
void put_digest(std::vector<std::uint8_t>& out, std::uint32_t crc) {
  for (unsigned i = 0; i < kDigestBytes; ++i) out.push_back(static_cast<std::uint8_t>((crc >> (i * kByteBits)) & kByteMask));
}

std::uint32_t get_digest(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (unsigned i = 0; i < kDigestBytes; ++i) v |= static_cast<std::uint32_t>(p[i]) << (i * kByteBits);
  return v;
}

}  // namespace

std::size_t padded(std::size_t n) { return (n + kPadAlignment - 1) / kPadAlignment * kPadAlignment; }

namespace {
std::size_t encoded_size(std::size_t ahs_bytes, std::size_t data_bytes, const DigestSettings& d) {
  const std::size_t data = padded(data_bytes);
  return kBhsBytes + ahs_bytes + (d.header ? kDigestBytes : 0) + data + (d.data && data > 0 ? kDigestBytes : 0);
}
}  // namespace

std::size_t encoded_size(const Pdu& pdu, const DigestSettings& d) {
  return encoded_size(pdu.ahs.size(), pdu.data.size(), d);
}

void encode_pdu(const Pdu& pdu, const DigestSettings& d, std::vector<std::uint8_t>& out) {
  encode_pdu(pdu, pdu.data.data(), pdu.data.size(), d, out);
}

void encode_pdu(const Pdu& pdu, const std::uint8_t* data, std::size_t len, const DigestSettings& d,
                std::vector<std::uint8_t>& out) {
  Bhs bhs = pdu.bhs;
  bhs.set_u8(bhs::kTotalAhsLength, static_cast<std::uint8_t>(pdu.ahs.size() / kPadAlignment));
  bhs.set_u24(bhs::kDataSegmentLength, static_cast<std::uint32_t>(len));
  const std::size_t start = out.size();
  out.reserve(start + encoded_size(pdu.ahs.size(), len, d));
  out.insert(out.end(), bhs.bytes().begin(), bhs.bytes().end());
  out.insert(out.end(), pdu.ahs.begin(), pdu.ahs.end());
  if (d.header) put_digest(out, crc32c(out.data() + start, kBhsBytes + pdu.ahs.size()));
  if (len == 0) return;
  const std::size_t data_start = out.size();
  out.insert(out.end(), data, data + len);
  out.resize(data_start + padded(len), 0);
  if (d.data) put_digest(out, crc32c(out.data() + data_start, out.size() - data_start));
}

void PduDecoder::feed(const std::uint8_t* data, std::size_t len) {
  if (pos_ >= kCompactBytes) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  buf_.insert(buf_.end(), data, data + len);
}

std::optional<Pdu> PduDecoder::next() {
  Pdu pdu;
  if (!next(pdu)) return std::nullopt;
  return pdu;
}

bool PduDecoder::next(Pdu& pdu) {
  if (error_ != Error::None || buffered() < kBhsBytes) return false;
  const std::uint8_t* p = buf_.data() + pos_;
  const Bhs bhs(p);
  const std::size_t ahs = bhs.total_ahs_bytes();
  const std::uint32_t data_len = bhs.data_segment_length();
  if (data_len > max_data_) {
    error_ = Error::DataSegmentTooLong;
    return false;
  }
  const std::size_t header = kBhsBytes + ahs + (digests_.header ? kDigestBytes : 0);
  const std::size_t data = padded(data_len);
  const std::size_t total = header + data + (digests_.data && data > 0 ? kDigestBytes : 0);
  if (buffered() < total) return false;
  if (digests_.header && crc32c(p, kBhsBytes + ahs) != get_digest(p + kBhsBytes + ahs)) {
    error_ = Error::HeaderDigest;
    return false;
  }
  if (digests_.data && data > 0 && crc32c(p + header, data) != get_digest(p + header + data)) {
    error_ = Error::DataDigest;
    return false;
  }
  pdu.bhs = bhs;
  pdu.ahs.assign(p + kBhsBytes, p + kBhsBytes + ahs);
  pdu.data.assign(p + header, p + header + data_len);
  pos_ += total;
  return true;
}

std::string PduDecoder::error_text() const {
  switch (error_) {
    case Error::None: return "";
    case Error::HeaderDigest: return "header digest mismatch";
    case Error::DataDigest: return "data digest mismatch";
    case Error::DataSegmentTooLong: return "data segment longer than MaxRecvDataSegmentLength";
  }
  return "";
}

}  // namespace iscsim::stack::iscsi
