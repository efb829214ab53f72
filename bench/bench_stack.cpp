// Google Benchmark of the protocol cores' hot paths with real bytes: one full-size segment
// through TCP (queued by the sender, framed with its checksums, parsed and verified, queued and
// read by the receiver, its ACK back), and one 8 KB Data-In PDU through the iSCSI codec (built,
// encoded, decoded; without digests as the paper ran, and with CRC32C header and data digests;
// decoded from pieces, lent or copied in), and the Internet checksum over a segment.
// Items are payload bytes.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/stack/iscsi/PduBuilders.hpp"
#include "sim/stack/iscsi/PduCodec.hpp"
#include "sim/stack/net/Checksum.hpp"
#include "sim/stack/net/FrameCodec.hpp"
#include "sim/stack/tcp/Connection.hpp"

namespace {

using namespace iscsim::stack;

constexpr std::uint16_t kClientPort = 32768;
constexpr std::uint16_t kServerPort = 3260;
constexpr std::uint32_t kClientIss = 1000;
constexpr std::uint32_t kServerIss = 5000;
constexpr Nanos kStep = 12 * kNanosPerMicro;  // one 1500-byte frame at 1 Gb/s

// A connection pair joined back to back through real frames.
struct Pair {
  tcp::Connection client{tcp::Config{}, kClientPort, kServerPort, kClientIss};
  tcp::Connection server{tcp::Config{}, kServerPort, kClientPort, kServerIss};
  net::FlowAddress to_server;
  net::FlowAddress to_client;
  Nanos now = 0;
  std::uint16_t ip_id = 0;

  Pair() {
    to_server.src_ip.value = 0x0A000001;
    to_server.dst_ip.value = 0x0A000002;
    to_client.src_ip = to_server.dst_ip;
    to_client.dst_ip = to_server.src_ip;
    server.listen();
    client.connect(now);
    while (carry()) {
    }
  }
  // Moves every queued segment, as frames, to the other side; false when none was queued.
  bool carry() {
    now += kStep;
    bool moved = false;
    std::vector<tcp::Segment> out = client.take_output();
    for (const tcp::Segment& s : out) deliver(server, net::build_frame(to_server, ip_id++, s));
    moved = moved || !out.empty();
    client.recycle(out);
    out = server.take_output();
    for (const tcp::Segment& s : out) deliver(client, net::build_frame(to_client, ip_id++, s));
    moved = moved || !out.empty();
    server.recycle(out);
    return moved;
  }
  void deliver(tcp::Connection& to, const std::vector<std::uint8_t>& frame) {
    const net::ParseResult parsed = net::parse_frame(frame.data(), frame.size());
    if (parsed.ok()) to.on_segment(now, parsed.frame().segment);
  }
};

void BM_TcpSegmentThrough(benchmark::State& state) {
  Pair p;
  const std::uint32_t mss = p.client.mss();
  const std::vector<std::uint8_t> payload(mss, 0x5A);
  std::vector<std::uint8_t> sink(mss);
  for (auto _ : state) {
    p.client.send(p.now, payload.data(), payload.size());
    p.carry();
    benchmark::DoNotOptimize(p.server.read(p.now, sink.data(), sink.size()));
    p.carry();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * mss));
}
BENCHMARK(BM_TcpSegmentThrough);

void BM_PduCodecDataIn(benchmark::State& state) {
  constexpr std::size_t kData = 8192;
  const std::vector<std::uint8_t> data(kData, 0xA5);
  const bool crc = state.range(0) != 0;
  const iscsi::DigestSettings digests{crc, crc};
  iscsi::PduDecoder decoder;
  decoder.set_digests(digests);
  std::vector<std::uint8_t> wire;
  iscsi::DataFields f;
  f.itt = 1;
  for (auto _ : state) {
    wire.clear();
    iscsi::encode_pdu(iscsi::data_in_pdu(f, iscsi::TargetSn{}, data.data(), data.size()), digests, wire);
    decoder.feed(wire.data(), wire.size());
    benchmark::DoNotOptimize(decoder.next());
    ++f.data_sn;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kData));
}
BENCHMARK(BM_PduCodecDataIn)->ArgName("digests")->Arg(0)->Arg(1);

// An encoded 8 KB Data-In PDU decoded into a reused PDU from pieces of range(0) bytes (a full
// segment's payload, or the whole PDU at once), lent where they lie as the sessions hand the
// receive queue's bytes over (range(1) = 1) or fed, copied into the decoder first (0).
void BM_PduDecodePieces(benchmark::State& state) {
  constexpr std::size_t kData = 8192;
  const std::vector<std::uint8_t> data(kData, 0x5A);
  std::vector<std::uint8_t> wire;
  iscsi::DataFields f;
  f.itt = 1;
  iscsi::encode_pdu(iscsi::data_in_pdu(f, iscsi::TargetSn{}, data.data(), data.size()), {}, wire);
  const auto piece = static_cast<std::size_t>(state.range(0));
  const bool lend = state.range(1) != 0;
  iscsi::PduDecoder decoder;
  iscsi::Pdu pdu;
  for (auto _ : state) {
    for (std::size_t at = 0; at < wire.size(); at += piece) {
      const std::size_t n = std::min(piece, wire.size() - at);
      if (lend)
        decoder.lend(wire.data() + at, n);
      else
        decoder.feed(wire.data() + at, n);
      while (decoder.next(pdu)) benchmark::DoNotOptimize(pdu.data.data());
      decoder.settle();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kData));
}
BENCHMARK(BM_PduDecodePieces)->ArgNames({"piece", "lent"})->ArgsProduct({{1448, 8240}, {0, 1}});

// The Internet checksum over a full segment's TCP bytes, as build and parse each run it once.
void BM_Checksum(benchmark::State& state) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37);
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    benchmark::DoNotOptimize(net::checksum_partial(bytes.data(), bytes.size()));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_Checksum)->ArgName("bytes")->Arg(1480)->Arg(8960);

// A segment's payload summed as it is copied into (or out of) a frame, as build and parse do.
void BM_ChecksumCopy(benchmark::State& state) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(state.range(0)));
  std::vector<std::uint8_t> out(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37);
  for (auto _ : state) {
    benchmark::DoNotOptimize(net::checksum_copy(out.data(), bytes.data(), bytes.size()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_ChecksumCopy)->ArgName("bytes")->Arg(1448)->Arg(8948);

// A full data segment built into a recycled frame buffer and parsed back with both checksums.
void BM_FrameBuildParse(benchmark::State& state) {
  tcp::Segment seg;
  seg.flags = tcp::flag::kAck;
  seg.options.timestamps = tcp::Timestamps{1, 2};
  seg.payload.assign(1448, 0x5A);
  const net::FlowAddress addr{};
  std::vector<std::uint8_t> frame;
  net::ParsedFrame parsed;
  for (auto _ : state) {
    net::build_frame_into(frame, addr, 1, seg);
    benchmark::DoNotOptimize(net::parse_frame_into(frame.data(), frame.size(), parsed));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * seg.payload.size()));
}
BENCHMARK(BM_FrameBuildParse);

}  // namespace
