#include "sim/stack/iscsi/PduChannel.hpp"

#include <numeric>

namespace iscsim::stack::iscsi {

std::uint64_t PduCounts::total_sent() const { return std::accumulate(sent.begin(), sent.end(), std::uint64_t{0}); }

std::uint64_t PduCounts::total_received() const {
  return std::accumulate(received.begin(), received.end(), std::uint64_t{0});
}

void PduCounts::add(const PduCounts& o) {
  for (std::size_t i = 0; i < kOpcodes; ++i) {
    sent[i] += o.sent[i];
    received[i] += o.received[i];
  }
  bytes_sent += o.bytes_sent;
  bytes_received += o.bytes_received;
}

void PduChannel::send(const Pdu& pdu) { send(pdu, pdu.data.data(), pdu.data.size()); }

void PduChannel::send(const Pdu& pdu, const std::uint8_t* data, std::size_t len) {
  // Encoded straight into the output queue: one copy of the payload.
  std::vector<std::uint8_t>& chunk = out_.tail_chunk();
  const std::size_t before = chunk.size();
  encode_pdu(pdu, data, len, digests_, chunk);
  out_.commit(chunk.size() - before);
  ++counts_.sent[pdu.bhs.opcode_value()];
  counts_.bytes_sent += chunk.size() - before;
}

bool PduChannel::next(Pdu& out) {
  if (!decoder_.next(out)) return false;
  ++counts_.received[out.bhs.opcode_value()];
  counts_.bytes_received += encoded_size(out, digests_);
  return true;
}

void PduChannel::set_digests(const DigestSettings& d) {
  digests_ = d;
  decoder_.set_digests(d);
}

void PduChannel::reset() {
  decoder_ = PduDecoder();
  out_.clear();
  digests_ = DigestSettings{};
}

}  // namespace iscsim::stack::iscsi
