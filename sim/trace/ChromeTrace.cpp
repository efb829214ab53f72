#include "sim/trace/ChromeTrace.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

namespace iscsim::trace {

namespace {

// Thread ids are unique across processes (viewers key threads by tid alone): process p's threads
// are numbered from p x kTidsPerProcess + 1, and p itself is the id of its counters' track.
constexpr int kTidsPerProcess = 1000;

// The format's timestamps and durations are microseconds; they are written in whole nanoseconds,
// which viewers convert back exactly, so a slice that starts where another ends meets it instead
// of overlapping it by a rounded nanosecond (which would nest one in the other).
constexpr double kNanosPerMicro = 1000;
std::int64_t nanos(Picos t) { return t / models::kPicosPerNano; }
double micros(Picos t) { return static_cast<double>(nanos(t)) / kNanosPerMicro; }
// Dividing (not multiplying by 1e-12) keeps round windows round: 0.05, not 0.049999999999999996.
double seconds(Picos t) { return static_cast<double>(t) / static_cast<double>(models::kPicosPerSecond); }

// Cycles and calls are written to a tenth: finer digits are rounding noise of the cost model's sums.
constexpr double kTenths = 10;
double tenths(double v) { return std::round(v * kTenths) / kTenths; }

// The bins of a piece's paths, the one with the most cycles first: the event's category list.
std::string categories(const world::WorkSlice& s) {
  std::vector<std::pair<std::string_view, double>> bins;
  for (const world::SlicePart& p : s.parts) {
    auto it = std::find_if(bins.begin(), bins.end(), [&p](const auto& b) { return b.first == p.bin; });
    if (it == bins.end())
      bins.emplace_back(p.bin, p.cycles);
    else
      it->second += p.cycles;
  }
  std::stable_sort(bins.begin(), bins.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string cat;
  for (const auto& [bin, cycles] : bins) cat += (cat.empty() ? "" : ",") + std::string(bin);
  return cat;
}

}  // namespace

ChromeTrace::ChromeTrace(const std::string& path, TraceWindow window) : out_(path), path_(path), window_(window) {
  if (!out_) throw std::runtime_error(path + ": cannot open the trace for writing");
  const nlohmann::json other = {{"generator", "iscsim"},
                                {"window_s", {seconds(window.from), seconds(window.until)}}};
  out_ << "{\"displayTimeUnit\":\"ns\",\"otherData\":" << other.dump() << ",\"traceEvents\":[\n";
}

world::TimelineTrack ChromeTrace::track(const std::string& process, const std::string& thread) {
  auto [p, new_process] = processes_.emplace(process, static_cast<int>(processes_.size()) + 1);
  const int pid = p->second;
  const double ts = micros(window_.from);
  if (new_process) {
    write({{"name", "process_name"}, {"ph", "M"}, {"ts", ts}, {"pid", pid}, {"tid", pid}, {"args", {{"name", process}}}});
    write({{"name", "process_sort_index"}, {"ph", "M"}, {"ts", ts}, {"pid", pid}, {"tid", pid},
           {"args", {{"sort_index", pid}}}});
  }
  if (thread.empty()) return {pid, pid};
  auto [t, new_thread] = threads_.emplace(std::make_pair(pid, thread), 0);
  if (new_thread) {
    const int index = threads_in_process_[pid]++;
    t->second = pid * kTidsPerProcess + index + 1;
    write({{"name", "thread_name"}, {"ph", "M"}, {"ts", ts}, {"pid", pid}, {"tid", t->second},
           {"args", {{"name", thread}}}});
    write({{"name", "thread_sort_index"}, {"ph", "M"}, {"ts", ts}, {"pid", pid}, {"tid", t->second},
           {"args", {{"sort_index", index}}}});
  }
  return {pid, t->second};
}

void ChromeTrace::slice(world::TimelineTrack on, const world::WorkSlice& s) {
  latest_ = std::max(latest_, s.end);
  const Picos start = std::max(s.start, window_.from);
  const Picos end = std::min(s.end, window_.until);
  const bool empty_inside = s.start == s.end && s.start >= window_.from && s.start < window_.until;
  if (start >= end && !empty_inside) return;
  nlohmann::json args = nlohmann::json::object();
  for (std::size_t i = s.listed; i < s.parts.size(); ++i)
    args["paths"][std::string(s.parts[i].path)] = {
        {"bin", s.parts[i].bin}, {"calls", tenths(s.parts[i].calls)}, {"cycles", tenths(s.parts[i].cycles)}};
  if (tenths(s.clear_cycles) > 0) args["clear_cycles"] = tenths(s.clear_cycles);
  if (s.resumed) args["resumed"] = true;
  if (start != s.start || end != s.end) args["clipped"] = true;
  write({{"name", s.name},
         {"cat", categories(s)},
         {"ph", "X"},
         {"ts", micros(start)},
         {"dur", static_cast<double>(nanos(end) - nanos(start)) / kNanosPerMicro},
         {"pid", on.pid},
         {"tid", on.tid},
         {"args", std::move(args)}});
}

void ChromeTrace::instant(world::TimelineTrack on, Picos at, std::string_view name, std::string_view category) {
  latest_ = std::max(latest_, at);
  if (at < window_.from || at >= window_.until) return;
  write({{"name", name}, {"cat", category}, {"ph", "i"}, {"s", "t"}, {"ts", micros(at)}, {"pid", on.pid},
         {"tid", on.tid}});
}

void ChromeTrace::counter(world::TimelineTrack on, Picos at, std::string_view name, std::string_view series,
                          double value) {
  latest_ = std::max(latest_, at);
  const CounterKey key{on.pid, std::string(name), std::string(series)};
  if (at < window_.from) {
    counters_[key] = Counter{value, false};
    return;
  }
  if (at >= window_.until) return;
  if (!counters_open_) open_counters();
  Counter& c = counters_[key];
  if (c.written && c.value == value) return;
  c = Counter{value, true};
  write_counter(key, at, value);
}

void ChromeTrace::open_counters() {
  counters_open_ = true;
  for (auto& [key, c] : counters_) {
    write_counter(key, window_.from, c.value);
    c.written = true;
  }
}

void ChromeTrace::write_counter(const CounterKey& key, Picos at, double value) {
  const auto& [pid, name, series] = key;
  write({{"name", name}, {"ph", "C"}, {"ts", micros(at)}, {"pid", pid}, {"tid", pid}, {"args", {{series, value}}}});
}

void ChromeTrace::write(const nlohmann::json& event) {
  if (written_ > 0) out_ << ",\n";
  out_ << event.dump();
  ++written_;
}

void ChromeTrace::close() {
  if (closed_) return;
  closed_ = true;
  if (!counters_open_ && latest_ >= window_.from) open_counters();
  out_ << "\n]}\n";
  out_.close();
  if (!out_) throw std::runtime_error(path_ + ": the trace could not be written whole");
}

}  // namespace iscsim::trace
