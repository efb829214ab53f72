#include "sim/workload/BulkTransfer.hpp"

#include <algorithm>

namespace iscsim::workload {

using stack::tcp::State;

BulkTransfer::BulkTransfer(world::TcpEndpoint& sender, world::TcpEndpoint& receiver, std::uint64_t stream_id,
                           std::uint32_t write_bytes, models::Picos window_start, models::Picos window_end,
                           Opener opener)
    : sender_(sender),
      receiver_(receiver),
      pattern_(stream_id),
      write_bytes_(write_bytes),
      window_start_(window_start),
      window_end_(window_end),
      opener_(opener),
      buffer_(write_bytes) {
  sender_.set_application([this] { pump_sender(); });
  receiver_.set_application([this] { drain_receiver(); });
}

void BulkTransfer::start() {
  world::TcpEndpoint& active = opener_ == Opener::Sender ? sender_ : receiver_;
  world::TcpEndpoint& passive = opener_ == Opener::Sender ? receiver_ : sender_;
  passive.listen();
  active.connect();
}

void BulkTransfer::stop_sending() {
  sending_ = false;
  pump_sender();
  sender_.flush();
}

void BulkTransfer::pump_sender() {
  auto& conn = sender_.connection();
  if (conn.state() != State::Established && conn.state() != State::CloseWait) return;
  while (sending_) {
    if (chunk_left_ == 0) chunk_left_ = write_bytes_;
    const std::size_t n = std::min<std::size_t>({chunk_left_, conn.send_space(), buffer_.size()});
    if (n == 0) break;
    pattern_.fill(stats_.bytes_written, buffer_.data(), n);
    const std::size_t accepted = conn.send(sender_.now_ns(), buffer_.data(), n);
    stats_.bytes_written += accepted;
    chunk_left_ -= accepted;
    if (accepted < n) break;
  }
  if (!sending_ && !sender_closed_) {
    conn.close(sender_.now_ns());
    sender_closed_ = true;
  }
}

void BulkTransfer::drain_receiver() {
  auto& conn = receiver_.connection();
  const models::Picos now = receiver_.now_ns() * models::kPicosPerNano;
  while (conn.readable() > 0) {
    for (const stack::tcp::ByteSpan& piece : conn.read_in_place(receiver_.now_ns(), buffer_.size())) {
      check(piece.data, piece.len);
      if (now >= window_start_ && now < window_end_) stats_.window_bytes += piece.len;
    }
  }
  // The sender's FIN has been read: close our side too.
  if (conn.state() == State::CloseWait && !receiver_closed_) {
    if (stats_.bytes_read % kBlockBytes != 0) ++(block_bad_bytes_ == 0 ? stats_.verified_blocks : stats_.corrupt_blocks);
    conn.close(receiver_.now_ns());
    receiver_closed_ = true;
  }
}

void BulkTransfer::check(const std::uint8_t* data, std::size_t len) {
  while (len > 0) {
    const std::uint64_t in_block = stats_.bytes_read % kBlockBytes;
    const std::size_t n = std::min<std::size_t>(len, kBlockBytes - in_block);
    const std::size_t bad = pattern_.mismatches(stats_.bytes_read, data, n);
    stats_.mismatched_bytes += bad;
    block_bad_bytes_ += bad;
    stats_.bytes_read += n;
    data += n;
    len -= n;
    if (stats_.bytes_read % kBlockBytes == 0) {
      ++(block_bad_bytes_ == 0 ? stats_.verified_blocks : stats_.corrupt_blocks);
      block_bad_bytes_ = 0;
    }
  }
}

bool BulkTransfer::finished() const {
  const State s = sender_.connection().state();
  const State r = receiver_.connection().state();
  return sender_closed_ && receiver_closed_ && (s == State::TimeWait || s == State::Closed) && r == State::Closed &&
         stats_.bytes_read == stats_.bytes_written;
}

}  // namespace iscsim::workload
