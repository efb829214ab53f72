#pragma once
// A socket's write queue as Linux 2.4 keeps it (sk->write_queue): tcp_sendmsg puts the data in
// sk_buffs of up to an MSS each, tcp_transmit_skb sends them (it reads and writes the head), and
// tcp_clean_rtx_queue walks and frees those an ACK wholly covers. Each sk_buff's payload lies
// where its allocator put it (0 where the data is not modelled there: the AMP engine's sends
// point into the user's pages).
#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

class WriteQueue {
 public:
  // An sk_buff's head and where its first byte of payload goes (0: not modelled).
  struct Buffers {
    models::Addr head = 0;
    models::Addr payload = 0;
  };
  // Bytes of the stream that lie together in one sk_buff's payload.
  struct Span {
    models::Addr addr = 0;
    std::uint64_t bytes = 0;
  };

  // tcp_sendmsg appends `bytes`: the tail sk_buff fills up to `mss`, then new ones follow, their
  // Buffers from `alloc()`. Returns the sk_buffs it allocated.
  template <class Alloc>
  std::vector<Buffers> append(std::uint64_t bytes, std::uint32_t mss, Alloc alloc) {
    std::vector<Buffers> fresh;
    const std::uint64_t size = std::max<std::uint32_t>(1, mss);
    if (!skbs_.empty() && skbs_.back().bytes < size && sent_ < queued_) {
      const std::uint64_t room = std::min(bytes, size - skbs_.back().bytes);
      skbs_.back().bytes += room;
      queued_ += room;
      bytes -= room;
    }
    while (bytes > 0) {
      const std::uint64_t n = std::min(bytes, size);
      const Buffers b = alloc();
      fresh.push_back(b);
      skbs_.push_back(Skb{b, n});
      queued_ += n;
      bytes -= n;
    }
    return fresh;
  }

  // The sk_buff the next `payload` bytes sent start in (none when nothing is queued there); the
  // send position moves on by `payload`.
  Buffers send(std::uint64_t payload) {
    Buffers found;
    std::uint64_t offset = 0;
    for (const Skb& s : skbs_) {
      if (sent_ < offset + s.bytes) {
        found = s.buffers;
        break;
      }
      offset += s.bytes;
    }
    sent_ = std::min(queued_, sent_ + payload);
    return found;
  }

  // The sk_buff a segment of `payload` bytes leaves from (none if it carries no data), `fresh` of
  // them sent for the first time: new bytes move the send position on; a retransmission goes
  // again from the queue's head (2.4 tcp_retransmit_skb), which stays.
  Buffers transmit(std::uint64_t payload, std::uint64_t fresh) {
    if (fresh > 0) return send(fresh);
    return payload > 0 && !skbs_.empty() ? skbs_.front().buffers : Buffers{};
  }

  // Where the stream's bytes [offset, offset + bytes) lie, in order: one span per sk_buff whose
  // payload is modelled. The bytes are those still queued (appended, not yet freed).
  template <class Visit>
  void spans(std::uint64_t offset, std::uint64_t bytes, Visit visit) const {
    std::uint64_t start = released_;
    const std::uint64_t end = offset + bytes;
    for (const Skb& s : skbs_) {
      if (start >= end) break;
      const std::uint64_t from = std::max(start, offset);
      const std::uint64_t to = std::min(start + s.bytes, end);
      if (from < to && s.buffers.payload != 0) visit(Span{s.buffers.payload + (from - start), to - from});
      start += s.bytes;
    }
  }

  // An ACK covers `bytes` more: the sk_buffs it now wholly covers, oldest first.
  std::vector<Buffers> acknowledge(std::uint64_t bytes) {
    std::vector<Buffers> done;
    acked_ += bytes;
    while (!skbs_.empty() && skbs_.front().bytes <= acked_) {
      const Skb s = skbs_.front();
      skbs_.pop_front();
      acked_ -= s.bytes;
      queued_ -= s.bytes;
      sent_ -= std::min(sent_, s.bytes);
      released_ += s.bytes;
      done.push_back(s.buffers);
    }
    return done;
  }

  std::size_t size() const { return skbs_.size(); }
  // The head of the first or last sk_buff queued (0 when empty): the neighbours an unlink or an
  // append writes (__skb_unlink's next->prev, __skb_queue_tail's prev->next).
  models::Addr front() const { return skbs_.empty() ? 0 : skbs_.front().buffers.head; }
  models::Addr back() const { return skbs_.empty() ? 0 : skbs_.back().buffers.head; }

 private:
  struct Skb {
    Buffers buffers;
    std::uint64_t bytes = 0;
  };
  std::deque<Skb> skbs_;
  std::uint64_t queued_ = 0;  // bytes in the queue
  std::uint64_t sent_ = 0;    // of them, sent at least once
  std::uint64_t acked_ = 0;   // acknowledged bytes of the front sk_buff
  std::uint64_t released_ = 0;  // bytes of the stream before the front sk_buff: freed
};

}  // namespace iscsim::host::kernel
