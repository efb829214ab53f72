#pragma once
// A socket's write queue as Linux 2.4 keeps it (sk->write_queue): tcp_sendmsg puts the data in
// sk_buffs of up to an MSS each, tcp_transmit_skb sends them (it reads and writes the head), and
// tcp_clean_rtx_queue walks and frees those an ACK wholly covers. Only the heads are modelled:
// the data sits in the host's send buffer.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "models/memory/AddressSpace.hpp"

namespace iscsim::host::kernel {

class WriteQueue {
 public:
  // tcp_sendmsg appends `bytes`: the tail sk_buff fills up to `mss`, then new ones follow, their
  // heads from `alloc()`. Returns the heads it allocated.
  template <class Alloc>
  std::vector<models::Addr> append(std::uint64_t bytes, std::uint32_t mss, Alloc alloc) {
    std::vector<models::Addr> fresh;
    const std::uint64_t size = std::max<std::uint32_t>(1, mss);
    if (!skbs_.empty() && skbs_.back().bytes < size && sent_ < queued_) {
      const std::uint64_t room = std::min(bytes, size - skbs_.back().bytes);
      skbs_.back().bytes += room;
      queued_ += room;
      bytes -= room;
    }
    while (bytes > 0) {
      const std::uint64_t n = std::min(bytes, size);
      fresh.push_back(alloc());
      skbs_.push_back(Skb{fresh.back(), n});
      queued_ += n;
      bytes -= n;
    }
    return fresh;
  }

  // The head of the sk_buff the next `payload` bytes sent start in (0 when nothing is queued
  // there); the send position moves on by `payload`.
  models::Addr send(std::uint64_t payload) {
    models::Addr head = 0;
    std::uint64_t offset = 0;
    for (const Skb& s : skbs_) {
      if (sent_ < offset + s.bytes) {
        head = s.head;
        break;
      }
      offset += s.bytes;
    }
    sent_ = std::min(queued_, sent_ + payload);
    return head;
  }

  // The head of the sk_buff a segment of `payload` bytes leaves from (0 if it carries no data),
  // `fresh` of them sent for the first time: new bytes move the send position on; a
  // retransmission goes again from the queue's head (2.4 tcp_retransmit_skb), which stays.
  models::Addr transmit(std::uint64_t payload, std::uint64_t fresh) {
    if (fresh > 0) return send(fresh);
    return payload > 0 && !skbs_.empty() ? skbs_.front().head : 0;
  }

  // An ACK covers `bytes` more: the heads of the sk_buffs it now wholly covers, oldest first.
  std::vector<models::Addr> acknowledge(std::uint64_t bytes) {
    std::vector<models::Addr> done;
    acked_ += bytes;
    while (!skbs_.empty() && skbs_.front().bytes <= acked_) {
      const Skb s = skbs_.front();
      skbs_.pop_front();
      acked_ -= s.bytes;
      queued_ -= s.bytes;
      sent_ -= std::min(sent_, s.bytes);
      done.push_back(s.head);
    }
    return done;
  }

  std::size_t size() const { return skbs_.size(); }
  // The head of the first or last sk_buff queued (0 when empty): the neighbours an unlink or an
  // append writes (__skb_unlink's next->prev, __skb_queue_tail's prev->next).
  models::Addr front() const { return skbs_.empty() ? 0 : skbs_.front().head; }
  models::Addr back() const { return skbs_.empty() ? 0 : skbs_.back().head; }

 private:
  struct Skb {
    models::Addr head = 0;
    std::uint64_t bytes = 0;
  };
  std::deque<Skb> skbs_;
  std::uint64_t queued_ = 0;  // bytes in the queue
  std::uint64_t sent_ = 0;    // of them, sent at least once
  std::uint64_t acked_ = 0;   // acknowledged bytes of the front sk_buff
};

}  // namespace iscsim::host::kernel
