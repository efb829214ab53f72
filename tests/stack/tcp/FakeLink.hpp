#pragma once
// Two TCP connections joined by a fake link with explicit time: each direction serializes
// segments FIFO at a byte rate, adds a one-way delay, and consults a drop mask. Tests step it
// event by event, so every loss pattern is exact and reproducible.
#include <cstdint>
#include <functional>
#include <map>
#include <tuple>
#include <vector>

#include "sim/stack/tcp/Connection.hpp"

namespace iscsim::stack::tcp::testing {

class FakeLink {
 public:
  // Direction 0 carries a -> b, direction 1 carries b -> a.
  using DropMask = std::function<bool(int direction, std::uint64_t index, const Segment&)>;

  FakeLink(const Config& ca, const Config& cb, std::uint32_t iss_a = 1000, std::uint32_t iss_b = 5000)
      : a(ca, 40000, 3260, iss_a), b(cb, 3260, 40000, iss_b) {}

  Connection a;
  Connection b;
  Nanos now = 0;
  Nanos one_way_delay = 50 * kNanosPerMicro;
  Nanos nanos_per_byte = 8;  // 1 Gb/s
  DropMask drop;
  // Extra delay per segment (reordering); returns 0 for none.
  std::function<Nanos(int direction, std::uint64_t index)> jitter;
  // Called after every event so the applications can read and write.
  std::function<void()> on_event;
  std::vector<Segment> sent[2];  // everything put on the wire, per direction
  std::uint64_t dropped[2] = {0, 0};

  void open() {
    b.listen();
    a.connect(now);
    flush();
  }

  void flush() {
    collect(0, a.take_output());
    collect(1, b.take_output());
  }

  // Runs the next event; false when nothing is left to happen.
  bool step() {
    Nanos next = -1;
    if (!wire_.empty()) next = std::get<0>(wire_.begin()->first);
    for (Connection* c : {&a, &b})
      if (auto t = c->next_timeout(); t && (next < 0 || *t < next)) next = *t;
    if (next < 0) return false;
    now = std::max(now, next);
    if (!wire_.empty() && std::get<0>(wire_.begin()->first) <= now) {
      auto it = wire_.begin();
      const int direction = std::get<2>(it->first);
      Segment seg = std::move(it->second);
      wire_.erase(it);
      (direction == 0 ? b : a).on_segment(now, seg);
    } else {
      for (Connection* c : {&a, &b})
        if (auto t = c->next_timeout(); t && *t <= now) c->on_timer(now);
    }
    if (on_event) on_event();
    flush();
    return true;
  }

  // Runs until done() holds or nothing is left or the time limit passes; returns done().
  bool run(const std::function<bool()>& done, Nanos limit = 600 * kNanosPerSecond) {
    while (!done() && now <= limit && step()) {
    }
    return done();
  }

 private:
  void collect(int direction, std::vector<Segment> segs) {
    for (Segment& s : segs) {
      const std::uint64_t index = sent[direction].size();
      sent[direction].push_back(s);
      const auto bytes = static_cast<Nanos>(s.payload.size() + kHeaderBytes);
      free_at_[direction] = std::max(free_at_[direction], now) + bytes * nanos_per_byte;
      if (drop && drop(direction, index, s)) {
        ++dropped[direction];
        continue;
      }
      const Nanos extra = jitter ? jitter(direction, index) : 0;
      wire_.emplace(std::make_tuple(free_at_[direction] + one_way_delay + extra, order_++, direction), std::move(s));
    }
  }

  static constexpr Nanos kHeaderBytes = 78;  // Ethernet framing + IPv4 + TCP + timestamps
  std::map<std::tuple<Nanos, std::uint64_t, int>, Segment> wire_;
  Nanos free_at_[2] = {0, 0};
  std::uint64_t order_ = 0;
};

// A sender that writes a byte pattern as fast as the connection takes it and a reader that
// checks every byte arrives once and in order.
class PatternStream {
 public:
  PatternStream(Connection& tx, Connection& rx, std::uint64_t total) : tx_(tx), rx_(rx), total_(total) {}

  static std::uint8_t byte_at(std::uint64_t i) { return static_cast<std::uint8_t>((i * 131 + (i >> 9) * 7) & 0xff); }

  void pump(Nanos now) {
    std::uint8_t buf[kChunk];
    while (written_ < total_) {
      const std::size_t n = std::min<std::uint64_t>({kChunk, total_ - written_, tx_.send_space()});
      if (n == 0) break;
      for (std::size_t i = 0; i < n; ++i) buf[i] = byte_at(written_ + i);
      written_ += tx_.send(now, buf, n);
    }
    if (written_ == total_ && close_when_done && !closed_) {
      tx_.close(now);
      closed_ = true;
    }
    while (read_enabled && rx_.readable() > 0) {
      const std::size_t n = rx_.read(now, buf, kChunk);
      for (std::size_t i = 0; i < n; ++i)
        if (buf[i] != byte_at(read_ + i)) ++mismatches_;
      read_ += n;
    }
    // The reader closes its side once it has read the writer's FIN, as netperf's receiver does.
    if (reader_closes_after_fin && rx_.state() == State::CloseWait && !reader_closed_) {
      rx_.close(now);
      reader_closed_ = true;
    }
  }

  bool complete() const { return read_ == total_; }
  std::uint64_t read() const { return read_; }
  std::uint64_t mismatches() const { return mismatches_; }
  bool close_when_done = false;
  bool read_enabled = true;
  bool reader_closes_after_fin = false;

 private:
  static constexpr std::size_t kChunk = 16384;
  Connection& tx_;
  Connection& rx_;
  std::uint64_t total_;
  std::uint64_t written_ = 0;
  std::uint64_t read_ = 0;
  std::uint64_t mismatches_ = 0;
  bool closed_ = false;
  bool reader_closed_ = false;
};

}  // namespace iscsim::stack::tcp::testing
