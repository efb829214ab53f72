#pragma once
// A netperf TCP_STREAM-like transfer over one connection: the sender writes as fast as the
// socket takes it, the receiver reads everything and checks each byte against the stream
// pattern. Goodput counts bytes read inside the measured window.
#include <cstdint>
#include <vector>

#include "sim/workload/StreamPattern.hpp"
#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::workload {

struct BulkStats {
  std::uint64_t bytes_written = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t window_bytes = 0;  // read inside the measured window
  std::uint64_t verified_blocks = 0;
  std::uint64_t corrupt_blocks = 0;
  std::uint64_t mismatched_bytes = 0;
};

class BulkTransfer {
 public:
  static constexpr std::uint32_t kBlockBytes = 512;  // integrity is reported per 512-byte block, like a disk sector

  // Which end opens the connection (netperf's client is the initiator whichever way data flows).
  enum class Opener { Sender, Receiver };

  BulkTransfer(world::TcpEndpoint& sender, world::TcpEndpoint& receiver, std::uint64_t stream_id,
               std::uint32_t write_bytes, models::Picos window_start, models::Picos window_end, Opener opener);

  void start();          // one end listens, the other connects
  void stop_sending();   // the sender stops writing and closes once its data is queued
  bool finished() const;  // both ends closed and every written byte read

  const BulkStats& stats() const { return stats_; }
  const world::TcpEndpoint& sender() const { return sender_; }
  const world::TcpEndpoint& receiver() const { return receiver_; }

 private:
  void pump_sender();
  void drain_receiver();
  void check(const std::uint8_t* data, std::size_t len);

  world::TcpEndpoint& sender_;
  world::TcpEndpoint& receiver_;
  StreamPattern pattern_;
  std::uint32_t write_bytes_;
  models::Picos window_start_;
  models::Picos window_end_;
  Opener opener_;
  bool sending_ = true;
  bool sender_closed_ = false;
  bool receiver_closed_ = false;
  std::uint64_t chunk_left_ = 0;  // bytes of the current application write not yet accepted
  std::vector<std::uint8_t> buffer_;
  std::uint64_t block_bad_bytes_ = 0;
  BulkStats stats_;
};

}  // namespace iscsim::workload
