#include "sim/trace/PcapWriter.hpp"

#include <pcap/pcap.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace iscsim::trace {

namespace {
constexpr std::int64_t kNanosPerSecond = 1'000'000'000;
}  // namespace

PcapWriter::PcapWriter(const std::string& path, const PcapOptions& options) : path_(path), options_(options) {
  if (options.snap_bytes < kMinSnapBytes || options.snap_bytes > kMaxSnapBytes)
    throw std::invalid_argument(path + ": snap length " + std::to_string(options.snap_bytes) + " outside [" +
                                std::to_string(kMinSnapBytes) + ", " + std::to_string(kMaxSnapBytes) + "]");
  handle_ = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, static_cast<int>(options.snap_bytes),
                                                 PCAP_TSTAMP_PRECISION_NANO);
  if (handle_ == nullptr) throw std::runtime_error(path + ": cannot create a pcap handle");
  dumper_ = pcap_dump_open(handle_, path.c_str());
  if (dumper_ == nullptr) {
    const std::string why = pcap_geterr(handle_);
    pcap_close(handle_);
    handle_ = nullptr;
    throw std::runtime_error(path + ": cannot open for writing: " + why);
  }
}

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::add(std::int64_t time_ns, const std::vector<std::uint8_t>& frame) {
  if (time_ns < options_.from_ns || time_ns >= options_.until_ns) return;
  const std::size_t kept = std::min<std::size_t>(frame.size(), options_.snap_bytes);
  held_.push(Held{time_ns, order_++, static_cast<std::uint32_t>(frame.size()),
                  std::vector<std::uint8_t>(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(kept))});
}

void PcapWriter::flush_until(std::int64_t time_ns) {
  while (!held_.empty() && held_.top().time_ns <= time_ns) {
    write(held_.top());
    held_.pop();
  }
}

void PcapWriter::write(const Held& h) {
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<decltype(header.ts.tv_sec)>(h.time_ns / kNanosPerSecond);
  // With nanosecond precision libpcap stores nanoseconds in the microseconds field.
  header.ts.tv_usec = static_cast<decltype(header.ts.tv_usec)>(h.time_ns % kNanosPerSecond);
  header.caplen = static_cast<bpf_u_int32>(h.bytes.size());
  header.len = h.length;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, h.bytes.data());
  ++written_;
}

void PcapWriter::close() {
  if (dumper_ == nullptr) return;
  flush_until(INT64_MAX);
  pcap_dump_close(dumper_);
  pcap_close(handle_);
  dumper_ = nullptr;
  handle_ = nullptr;
}

}  // namespace iscsim::trace
