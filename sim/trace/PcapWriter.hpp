#pragma once
// Writes simulated frames to a pcap file through libpcap, stamped with simulated time in
// nanoseconds. Frames from several links may be handed in slightly out of time order; they are
// held in a heap and written in order up to the time the caller says is final.
#include <climits>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

struct pcap;
struct pcap_dumper;

namespace iscsim::trace {

inline constexpr std::uint32_t kWholeFrames = 65535;  // snap length that keeps every Ethernet frame whole
inline constexpr std::uint32_t kMinSnapBytes = 14;    // an Ethernet II header
inline constexpr std::uint32_t kMaxSnapBytes = 262144;  // libpcap's MAXIMUM_SNAPLEN: readers refuse more

// What a capture keeps: the first snap_bytes of each frame (the file header's snaplen; records
// keep the frame's real length), of the frames that start in [from_ns, until_ns) of simulated time.
struct PcapOptions {
  std::uint32_t snap_bytes = kWholeFrames;
  std::int64_t from_ns = 0;
  std::int64_t until_ns = INT64_MAX;
};

class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path, const PcapOptions& options = {});
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // A frame that starts at time_ns; outside the options' window it is not kept.
  void add(std::int64_t time_ns, const std::vector<std::uint8_t>& frame);
  // Writes every held frame stamped at or before time_ns.
  void flush_until(std::int64_t time_ns);
  // Writes the rest and closes the file; safe to call twice.
  void close();
  std::uint64_t frames_written() const { return written_; }

 private:
  struct Held {
    std::int64_t time_ns;
    std::uint64_t order;
    std::uint32_t length;             // the frame's length on the wire
    std::vector<std::uint8_t> bytes;  // its first snap_bytes
    bool operator>(const Held& o) const { return time_ns != o.time_ns ? time_ns > o.time_ns : order > o.order; }
  };
  void write(const Held& h);

  std::string path_;
  PcapOptions options_;
  pcap* handle_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held_;
  std::uint64_t order_ = 0;
  std::uint64_t written_ = 0;
};

}  // namespace iscsim::trace
