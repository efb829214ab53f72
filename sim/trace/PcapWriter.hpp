#pragma once
// Writes simulated frames to a pcap file through libpcap, stamped with simulated time in
// nanoseconds. Frames from several links may be handed in slightly out of time order; they are
// held in a heap and written in order up to the time the caller says is final.
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

struct pcap;
struct pcap_dumper;

namespace iscsim::trace {

class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path);
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

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
    std::vector<std::uint8_t> bytes;
    bool operator>(const Held& o) const { return time_ns != o.time_ns ? time_ns > o.time_ns : order > o.order; }
  };
  void write(const Held& h);

  std::string path_;
  pcap* handle_ = nullptr;
  pcap_dumper* dumper_ = nullptr;
  std::priority_queue<Held, std::vector<Held>, std::greater<>> held_;
  std::uint64_t order_ = 0;
  std::uint64_t written_ = 0;
};

}  // namespace iscsim::trace
