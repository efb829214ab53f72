#pragma once
// Which bytes of a sent segment a host sends for the first time and which again (TCP
// retransmits them): the host charges the copy into the socket, the send buffer's place and the
// sk_buff by the stream offset, which a retransmission must not move on.
#include <algorithm>
#include <cstdint>

namespace iscsim::host::kernel {

class SendSequence {
 public:
  struct Sent {
    std::uint64_t fresh = 0;   // bytes past the highest sent before
    std::uint64_t offset = 0;  // where the segment's first byte sits in the stream
  };

  // A segment leaving with sequence number `seq` and `payload` bytes.
  Sent send(std::uint32_t seq, std::uint64_t payload) {
    if (!started_ && payload > 0) {
      high_ = seq;
      started_ = true;
    }
    const auto ahead = static_cast<std::int32_t>(seq + static_cast<std::uint32_t>(payload) - high_);
    const auto behind = static_cast<std::int32_t>(high_ - seq);
    Sent s;
    s.fresh = ahead > 0 ? std::min<std::uint64_t>(payload, static_cast<std::uint64_t>(ahead)) : 0;
    s.offset = sent_ - std::min<std::uint64_t>(sent_, behind > 0 ? static_cast<std::uint64_t>(behind) : 0);
    sent_ += s.fresh;
    high_ += static_cast<std::uint32_t>(s.fresh);
    return s;
  }

  std::uint64_t sent() const { return sent_; }  // bytes sent at least once

 private:
  std::uint64_t sent_ = 0;
  std::uint32_t high_ = 0;  // the sequence number after the highest byte sent
  bool started_ = false;    // high_ is known: a data segment has left
};

}  // namespace iscsim::host::kernel
