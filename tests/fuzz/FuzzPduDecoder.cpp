// libFuzzer target: the incremental iSCSI PDU decoder (PduDecoder) and its encoder.
//
// Input layout: byte 0 chooses the decoder's settings, the rest is the TCP byte stream.
//   bit 0     HeaderDigest=CRC32C
//   bit 1     DataDigest=CRC32C
//   bits 2-4  MaxRecvDataSegmentLength, an index into kMaxData
//   bits 5-7  chunking: 0 feeds the whole stream at once; m > 0 feeds chunks of
//             1 + (next stream byte & (4^m - 1)) bytes, so the sizes come from the input too.
//
// Checked for every decoded PDU: re-encoding it takes exactly encoded_size() bytes, which is
// also what the decoder consumed, and decoding that encoding gives back an identical Pdu. Once
// the decoder has reported an error it returns nothing more, whatever it is fed.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stack/iscsi/PduCodec.hpp"
#include "tests/fuzz/FuzzHarness.hpp"

namespace {

using iscsim::stack::iscsi::DigestSettings;
using iscsim::stack::iscsi::encode_pdu;
using iscsim::stack::iscsi::encoded_size;
using iscsim::stack::iscsi::kMaxDataSegmentField;
using iscsim::stack::iscsi::Pdu;
using iscsim::stack::iscsi::PduDecoder;

constexpr std::array<std::uint32_t, 8> kMaxData = {8192, 512, 4096, 65536, 262144, 1u << 20, kMaxDataSegmentField, 0};

using iscsim::fuzz::require;

bool same(const Pdu& a, const Pdu& b) { return a.bhs == b.bhs && a.ahs == b.ahs && a.data == b.data; }

void check_round_trip(const Pdu& pdu, const DigestSettings& digests, std::uint32_t max_data, std::size_t consumed) {
  std::vector<std::uint8_t> wire;
  encode_pdu(pdu, digests, wire);
  require(wire.size() == encoded_size(pdu, digests));
  require(wire.size() == consumed);

  PduDecoder again(max_data);
  again.set_digests(digests);
  again.feed(wire.data(), wire.size());
  const std::optional<Pdu> decoded = again.next();
  require(decoded.has_value());
  require(again.error() == PduDecoder::Error::None);
  require(same(*decoded, pdu));
  require(again.buffered() == 0);
  require(!again.next().has_value());
}

// Takes out every complete PDU, checking each; returns false once the decoder is in error.
bool drain(PduDecoder& decoder, const DigestSettings& digests, std::uint32_t max_data) {
  for (;;) {
    const std::size_t before = decoder.buffered();
    const std::optional<Pdu> pdu = decoder.next();
    if (!pdu) {
      if (decoder.error() != PduDecoder::Error::None) {
        require(!decoder.error_text().empty());
        return false;
      }
      require(decoder.buffered() == before);
      return true;
    }
    require(decoder.error() == PduDecoder::Error::None);
    require(before >= decoder.buffered());
    check_round_trip(*pdu, digests, max_data, before - decoder.buffered());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t settings = data[0];
  const DigestSettings digests{(settings & 0x01) != 0, (settings & 0x02) != 0};
  const std::uint32_t max_data = kMaxData[(settings >> 2) & 0x07];
  const unsigned chunking = settings >> 5;
  const std::uint8_t* stream = data + 1;
  const std::size_t len = size - 1;

  PduDecoder decoder(max_data);
  decoder.set_digests(digests);
  bool failed = false;
  std::size_t pos = 0;
  while (pos < len) {
    std::size_t chunk = len - pos;
    if (chunking != 0) {
      const std::size_t mask = (std::size_t{1} << (2 * chunking)) - 1;
      chunk = std::min(chunk, std::size_t{1} + (stream[pos] & mask));
    }
    decoder.feed(stream + pos, chunk);
    pos += chunk;
    if (failed) {
      // An error is final: nothing decodes after it.
      require(!decoder.next().has_value());
      require(decoder.error() != PduDecoder::Error::None);
    } else {
      failed = !drain(decoder, digests, max_data);
    }
  }
  if (failed) {
    // Still nothing after more bytes, even a valid PDU's worth.
    const std::uint8_t zeros[64] = {};
    decoder.feed(zeros, sizeof zeros);
    require(!decoder.next().has_value());
  }
  return 0;
}
