#include "sim/stack/iscsi/PduCodec.hpp"

#include <algorithm>
#include <cstring>

#include "sim/stack/common/BigEndian.hpp"
#include "sim/stack/iscsi/Crc32c.hpp"

namespace iscsim::stack::iscsi {

namespace {

// Settled bytes are dropped from the decoder's buffer once there are this many.
constexpr std::size_t kCompactBytes = 1 << 16;

// Digests go on the wire least significant byte first (RFC 7143 section 13.1, as Linux and
// libiscsi send them).
void put_digest(std::vector<std::uint8_t>& out, std::uint32_t crc) {
  for (unsigned i = 0; i < kDigestBytes; ++i) out.push_back(static_cast<std::uint8_t>((crc >> (i * kBitsPerByte)) & kByteMask));
}

std::uint32_t get_digest(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (unsigned i = 0; i < kDigestBytes; ++i) v |= static_cast<std::uint32_t>(p[i]) << (i * kBitsPerByte);
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
  settle();
  if (pos_ >= kCompactBytes) {
    kept_.erase(kept_.begin(), kept_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
  kept_.insert(kept_.end(), data, data + len);
}

void PduDecoder::lend(const std::uint8_t* data, std::size_t len) {
  settle();
  lent_ = data;
  lent_len_ = len;
}

void PduDecoder::settle() {
  if (lent_len_ == 0) return;
  const std::uint8_t* data = lent_;
  const std::size_t len = lent_len_;
  lent_ = nullptr;
  lent_len_ = 0;
  feed(data, len);
}

void PduDecoder::advance(std::size_t n) {
  const std::size_t from_kept = std::min(n, kept_.size() - pos_);
  pos_ += from_kept;
  if (pos_ == kept_.size()) {
    kept_.clear();
    pos_ = 0;
  }
  lent_ += n - from_kept;
  lent_len_ -= n - from_kept;
}

void PduDecoder::pull(std::vector<std::uint8_t>& to, std::size_t want) {
  const std::size_t from_kept = std::min(want, kept_.size() - pos_);
  to.insert(to.end(), kept_.data() + pos_, kept_.data() + pos_ + from_kept);
  const std::size_t from_lent = std::min(want - from_kept, lent_len_);
  to.insert(to.end(), lent_, lent_ + from_lent);
  advance(from_kept + from_lent);
}

void PduDecoder::unparse() {
  if (head_.empty() && body_.empty()) return;
  std::vector<std::uint8_t> input(std::move(head_));
  input.insert(input.end(), body_.begin(), body_.end());
  input.insert(input.end(), kept_.begin() + static_cast<std::ptrdiff_t>(pos_), kept_.end());
  kept_ = std::move(input);
  pos_ = 0;
  head_.clear();
  body_.clear();
}

void PduDecoder::set_digests(const DigestSettings& d) {
  // A PDU begun under the old settings is framed again under the new ones.
  unparse();
  digests_ = d;
}

std::optional<Pdu> PduDecoder::next() {
  Pdu pdu;
  if (!next(pdu)) return std::nullopt;
  return pdu;
}

bool PduDecoder::next(Pdu& pdu) {
  if (error_ != Error::None) return false;
  if (head_.size() < kBhsBytes) pull(head_, kBhsBytes - head_.size());
  if (head_.size() < kBhsBytes) return false;
  const Bhs bhs(head_.data());
  const std::size_t ahs = bhs.total_ahs_bytes();
  const std::uint32_t data_len = bhs.data_segment_length();
  if (data_len > max_data_) {
    error_ = Error::DataSegmentTooLong;
    return false;
  }
  const std::size_t header = kBhsBytes + ahs + (digests_.header ? kDigestBytes : 0);
  if (head_.size() < header) pull(head_, header - head_.size());
  if (head_.size() < header) return false;
  const std::size_t data = padded(data_len);
  const std::size_t body = data + (digests_.data && data > 0 ? kDigestBytes : 0);
  // The data segment where it lies when the input holds it in one piece, else gathered in body_.
  const bool kept_left = pos_ < kept_.size();
  const std::size_t in_one_piece = kept_left ? kept_.size() - pos_ : lent_len_;
  const bool in_place = body_.empty() && in_one_piece >= body;
  if (!in_place) {
    body_.reserve(body);
    pull(body_, body - body_.size());
    if (body_.size() < body) return false;
  }
  const std::uint8_t* p = in_place ? (kept_left ? kept_.data() + pos_ : lent_) : body_.data();
  if (digests_.header && crc32c(head_.data(), kBhsBytes + ahs) != get_digest(head_.data() + kBhsBytes + ahs)) {
    error_ = Error::HeaderDigest;
    return false;
  }
  if (digests_.data && data > 0 && crc32c(p, data) != get_digest(p + data)) {
    error_ = Error::DataDigest;
    return false;
  }
  pdu.bhs = bhs;
  pdu.ahs.assign(head_.begin() + kBhsBytes, head_.begin() + static_cast<std::ptrdiff_t>(kBhsBytes + ahs));
  if (in_place) {
    pdu.data.assign(p, p + data_len);
    advance(body);
  } else {
    // Gathered: the buffer itself becomes the PDU's data, and the PDU's old one gathers next.
    pdu.data.swap(body_);
    pdu.data.resize(data_len);
    body_.clear();
  }
  head_.clear();
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
