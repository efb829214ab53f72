#pragma once
// The PDU layer of one iSCSI connection: bytes from the transport become PDUs, PDUs to send
// become bytes in an output queue, with the digests in force and per-opcode counts.
#include <array>
#include <cstdint>

#include "sim/stack/iscsi/ByteQueue.hpp"
#include "sim/stack/iscsi/PduCodec.hpp"

namespace iscsim::stack::iscsi {

// PDUs by 6-bit opcode value.
struct PduCounts {
  static constexpr std::size_t kOpcodes = 64;
  std::array<std::uint64_t, kOpcodes> sent{};
  std::array<std::uint64_t, kOpcodes> received{};
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  void add(const PduCounts& o);
  std::uint64_t total_sent() const;      // PDUs of every opcode
  std::uint64_t total_received() const;
};

class PduChannel {
 public:
  void send(const Pdu& pdu);
  // Sends a PDU whose data segment is [data, data+len), encoded from where it lies.
  void send(const Pdu& pdu, const std::uint8_t* data, std::size_t len);
  // Bytes from the transport, decoded where they lie until settle(), which keeps what is left.
  void lend(const std::uint8_t* data, std::size_t len) { decoder_.lend(data, len); }
  void settle() { decoder_.settle(); }
  // The next complete PDU into `out`, its buffers reused; false when there is none.
  bool next(Pdu& out);
  bool failed() const { return decoder_.error() != PduDecoder::Error::None; }
  std::string error_text() const { return decoder_.error_text(); }

  // Login ends: digests apply from the next PDU each way; our receive limit is enforced.
  void set_digests(const DigestSettings& d);
  void set_max_receive(std::uint32_t bytes) { decoder_.set_max_data_segment(bytes); }
  // A new transport connection: nothing buffered survives.
  void reset();

  ByteQueue& output() { return out_; }
  const PduCounts& counts() const { return counts_; }

 private:
  PduDecoder decoder_;
  ByteQueue out_;
  DigestSettings digests_;
  PduCounts counts_;
};

}  // namespace iscsim::stack::iscsi
