#include "models/cpu/CpuCostModel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace iscsim::models {

namespace {
constexpr double kNanosPerSecond = 1e9;
constexpr double kPicosPerNanoD = 1e3;
// The bus load is re-estimated over samples of this length: long against one line (20 ns),
// short against a 64 KB I/O (~0.5 ms on the wire).
constexpr Picos kBusSample = 100 * kPicosPerMicro;
// Beyond this utilization the M/D/1 wait diverges; the bus is saturated, not infinitely slow.
constexpr double kMaxUtilization = 0.95;
}  // namespace

CpuParams CpuParams::from(const ParamSet& p) {
  CpuParams c;
  c.memory_latency_ns = p.number("memory_latency_ns");
  c.peer_latency_ns = p.number("peer_latency_ns");
  c.misses_in_flight = p.number("misses_in_flight");
  c.clear_penalty_cycles = p.number("clear_penalty_cycles");
  c.snoop_clear_per_line = p.number("snoop_clear_per_line");
  c.loads_in_flight = p.number("loads_in_flight");
  c.window_uops = p.number("window_uops");
  c.idle_instr_per_cycle = p.number("idle_instr_per_cycle");
  c.prefetch_after_misses = p.number("prefetch_after_misses");
  c.prefetch_page_bytes = p.number("prefetch_page_bytes");
  c.prefetch_ahead_bytes = p.number("prefetch_ahead_bytes");
  c.mmio_read_ns = p.number("mmio_read_ns");
  c.mmio_write_ns = p.number("mmio_write_ns");
  c.int_iret_cycles = p.number("int_iret_cycles");
  c.locked_op_cycles = p.number("locked_op_cycles");
  c.fast_string_min_bytes = p.number("fast_string_min_bytes");
  c.fast_string_align_bytes = p.number("fast_string_align_bytes");
  const double locked_at_retirement = p.number("locked_loads_at_retirement");
  c.locked_loads_at_retirement = locked_at_retirement != 0;
  const double claims_counted = p.number("claims_count_as_l2_misses");
  c.claims_count_as_l2_misses = claims_counted != 0;
  const double outrun_counted = p.number("outrun_prefetches_count_as_l2_misses");
  c.outrun_prefetches_count_as_l2_misses = outrun_counted != 0;
  if (c.memory_latency_ns <= 0 || c.peer_latency_ns <= 0 || c.misses_in_flight < 1 || c.loads_in_flight < 1 || c.window_uops < 1 || c.clear_penalty_cycles < 0 ||
      c.snoop_clear_per_line < 0 || c.snoop_clear_per_line > 1 || c.idle_instr_per_cycle < 0 || c.prefetch_after_misses < 0 || c.prefetch_page_bytes < 1 || c.prefetch_ahead_bytes < 0 ||
      c.mmio_read_ns < 0 || c.mmio_write_ns < 0 || c.int_iret_cycles < 0 || c.locked_op_cycles < 0 || c.fast_string_min_bytes < 0 || c.fast_string_align_bytes < 1 || (locked_at_retirement != 0 && locked_at_retirement != 1) ||
      (claims_counted != 0 && claims_counted != 1) || (outrun_counted != 0 && outrun_counted != 1))
    throw ParamError(p.origin() +
                     ": latencies must be positive, misses_in_flight, loads_in_flight, window_uops, prefetch_page_bytes and fast_string_align_bytes >= 1, snoop_clear_per_line in [0, 1], "
                     "locked_loads_at_retirement, claims_count_as_l2_misses and outrun_prefetches_count_as_l2_misses 0 or 1, "
                     "the others non-negative");
  p.require_all_read();
  return c;
}

CpuCostModel::CpuCostModel(const CpuParams& params, const CodePathCatalog& catalog, CoherentCaches& caches,
                           MemoryBus& fsb, AddressSpace& memory, int cpus, double hz)
    : params_(params),
      catalog_(catalog),
      caches_(caches),
      fsb_(fsb),
      hz_(hz),
      page_bytes_(static_cast<std::uint64_t>(params.prefetch_page_bytes)),
      page_shift_((page_bytes_ & (page_bytes_ - 1)) == 0 ? static_cast<int>(std::log2(static_cast<double>(page_bytes_))) : -1),
      line_ns_(fsb.params().line_bytes / fsb.params().bytes_per_second * kNanosPerSecond),
      latency_cycles_(params.memory_latency_ns * hz / kNanosPerSecond),
      running_(cpus, kNoPath),
      pending_cycles_(cpus, 0.0),
      pieces_(cpus),
      counters_(cpus),
      tallies_(cpus, std::vector<PathTally>(catalog.size())) {
  // Code regions are sized by the bound, not the value, so calibration does not move them; each
  // is placed by its path's name, so a path added to the catalog moves no other's code or data.
  for (PathId i = 0; i < catalog.size(); ++i)
    code_.push_back(memory.text(catalog[i].name, static_cast<std::uint64_t>(std::max(1.0, catalog[i].footprint_bytes.max))));
  // One hint per line of each path's code, per CPU (footprints are fixed, not calibrated).
  const std::uint64_t line = caches.geometry().line_bytes;
  code_hints_.resize(static_cast<std::size_t>(cpus) * catalog.size());
  for (std::size_t i = 0; i < code_hints_.size(); ++i) {
    const PathId id = i % catalog.size();
    const auto footprint = static_cast<std::uint64_t>(catalog[id].footprint_bytes.value);
    if (footprint > 0) code_hints_[i].resize((code_[id] + footprint - 1) / line - code_[id] / line + 1);
  }
  caches_.set_snoop_listener([this](int victim, std::uint64_t lines) { on_snoop(victim, lines); });
}

Cost CpuCostModel::run(int cpu, PathId id, double calls, std::uint64_t bytes, Touches touches,
                       Picos now) {
  // What other CPUs load again before now does so first: this path's accesses find it there.
  if (!refetches_.empty()) take_refetches(now);
  const CodePath& p = catalog_[id];
  running_[cpu] = id;
  Cost c;
  c.instr = p.instructions(calls, static_cast<double>(bytes));
  AccessCounts acc;
  // Demand misses the core waits for, by where their lines come from; and lines a fast string
  // claimed, which the counter sees as RFO misses and the store buffer hides.
  double exposed_memory = 0, exposed_peer = 0, claimed = 0;
  Piece& piece = pieces_[cpu];
  // Within a piece being charged, this path starts after what the piece charged before it.
  const bool in_piece = piece.until == std::numeric_limits<Picos>::max();
  const Picos start = !in_piece ? now : piece.cycles > 0 ? piece.start + picos_from_cycles(piece.cycles, hz_) : piece.start;
  const double compute_cycles = c.instr * p.cpi.value;
  // Each stream's lines by where they come from; which of them the core waits for is decided once
  // every stream is known, as they share one memory pipe.
  streams_.clear();
  const auto stream = [&](Addr addr, std::uint64_t bytes, bool write, std::uint8_t* hints, bool whole_lines) {
    access_lo_ = addr;
    access_hi_ = addr + bytes;
    access_at_ = start;
    const AccessCounts a = hints != nullptr ? caches_.read_hinted(cpu, addr, bytes, hints)
                           : whole_lines    ? caches_.write_whole_lines(cpu, addr, bytes)
                           : write          ? caches_.write(cpu, addr, bytes)
                                            : caches_.read(cpu, addr, bytes);
    acc += a;
    claimed += static_cast<double>(a.claimed);
    if (a.misses == 0) return;
    // Once a sequential stream has missed a few times in a page the prefetcher runs ahead of it.
    // A line Modified in the other cache comes by the same bus read (HITM: the owner supplies
    // it in that read's data phase), so the prefetcher fetches it as it fetches one from memory.
    const std::uint64_t pages = page_shift_ >= 0 ? (bytes + page_bytes_ - 1) >> page_shift_ : (bytes + page_bytes_ - 1) / page_bytes_;
    const double fetched = static_cast<double>(a.misses);
    StreamFill& f = streams_.emplace_back();
    f.fetched = fetched;
    f.demand = std::min(fetched, static_cast<double>(pages) * params_.prefetch_after_misses);
    f.peer = static_cast<double>(a.from_peer);
    // Its lines arrive in time, costing bus time alone, when the path's work over the bytes the
    // prefetcher runs ahead takes longer than a line's latency; a faster stream reaches them on
    // their way, and each is then a demand miss to the counter (IA-32 Optimization Manual B-14)
    // and to the core.
    f.in_time = compute_cycles * params_.prefetch_ahead_bytes >= latency_cycles_ * static_cast<double>(bytes);
  };
  const auto footprint = static_cast<std::uint64_t>(p.footprint_bytes.value);
  if (footprint > 0)
    stream(code_[id], footprint, false, code_hints_[static_cast<std::size_t>(cpu) * catalog_.size() + id].data(), false);
  for (const Touch& t : touches)
    if (t.bytes > 0)
      stream(t.addr, t.bytes, t.write, nullptr, p.string_stores() && t.stores_only && fast_string(t.addr, t.bytes));
  // Nor can prefetches run ahead of a path that wants its lines faster than the memory system
  // delivers them, misses_in_flight lines a latency, prefetched or not: the core then reaches
  // each line on its way, as a memory-bound copy does (platform-params section 3), and the
  // counter sees a demand miss (B-14). Its time is the bus's (below), charged as before.
  double reached_in_flight = 0;
  if (!streams_.empty()) {
    double fill_ns = 0;
    for (const StreamFill& f : streams_) fill_ns += miss_stall_ns(f.fetched - f.peer, f.peer);
    const bool keeps_up = !params_.outrun_prefetches_count_as_l2_misses || compute_cycles >= fill_ns * hz_ / kNanosPerSecond;
    for (const StreamFill& f : streams_) {
      const double exposed = f.in_time ? f.demand : f.fetched;
      const double peer = exposed * f.peer / f.fetched;
      exposed_peer += peer;
      exposed_memory += exposed - peer;
      if (!keeps_up) reached_in_flight += f.fetched - exposed;
    }
  }
  access_hi_ = access_lo_;
  // The L2 miss counter (BSQ_cache_reference RD_2ndL_MISS) counts demand misses, reads and RFOs:
  // lines the hardware prefetcher brought in ahead of the stream are not counted (IA-32
  // Optimization Manual B-14: prefetches are counted as neither hits nor misses on CPUID 0xf21
  // and later), a fast string's claims are (read-invalidates for ownership, without data).
  const double waited = exposed_memory + exposed_peer;
  c.l2_misses = waited + reached_in_flight + (params_.claims_count_as_l2_misses ? claimed : 0.0);
  // Terms that are zero (most paths: code and data resident) skip their divisions: 0 * x / y
  // is exactly 0, so the result is the same.
  double stall_ns = miss_stall_ns(exposed_memory, exposed_peer) +
                    calls * (p.mmio_reads * params_.mmio_read_ns + p.mmio_writes * params_.mmio_write_ns);
  if (acc.bus_bytes > 0) {
    // Every fill queues behind the bus's other traffic; and a path never moves its lines faster
    // than the bus can.
    const double bytes = static_cast<double>(acc.bus_bytes);
    const double wait_ns = bus_wait_ns(now);
    cpu_bytes_in_sample_ += bytes;
    const double bus_ns = bytes / fsb_.params().bytes_per_second * kNanosPerSecond;
    stall_ns = std::max(stall_ns + waited * wait_ns, bus_ns);
  }
  c.stall_cycles = stall_ns > 0 ? stall_ns * hz_ / kNanosPerSecond : 0.0;
  // The core waits out each int/iret pair's microcode: cycles of its clock, like a CPI, but a
  // fixed number per transition whatever the path's code.
  if (p.traps > 0) c.stall_cycles += calls * p.traps * params_.int_iret_cycles;
  // And each locked operation's drain: it waits for every earlier load and store to complete
  // (its own line's transfer, when the other CPU has it, is a touch's miss).
  if (p.locked_ops > 0 || p.locked_ops_per_byte > 0)
    c.stall_cycles += (calls * p.locked_ops + static_cast<double>(bytes) * p.locked_ops_per_byte) * params_.locked_op_cycles;
  const double own = c.instr * p.cpi.value + c.stall_cycles;
  // Clear penalties owed from snoops were counted where they happened; here they only take time.
  c.cycles = own + take_pending_cycles(cpu);
  if (in_piece) {
    const Picos end = start + picos_from_cycles(c.cycles, hz_);
    // Fields written in place: a braced temporary costs a store-forwarding stall per span.
    for (const Touch& t : touches) {
      if (t.bytes == 0) continue;
      Piece::Span& s = piece.spans.emplace_back();
      s.lo = t.addr;
      s.hi = t.addr + t.bytes;
      s.from = start;
      s.to = end;
      s.path = id;
      s.write = t.write;
      s.instr = c.instr;
      s.loads = !t.stores_only && !(t.locked && params_.locked_loads_at_retirement);
      s.throughout = t.throughout;
    }
    Piece::Part& part = piece.parts.emplace_back();
    part.from = start;
    part.to = end;
    part.path = id;
    piece.cycles += c.cycles;
  }
  if (counting_) {
    BinCounters& b = at(counters_[cpu], p.bin);
    b.cycles += own;
    b.instr += c.instr;
    b.l2_misses += c.l2_misses;
    b.cache_to_cache_lines += static_cast<double>(acc.from_peer);
    PathTally& t = tallies_[cpu][id];
    t.calls += calls;
    t.bytes += static_cast<double>(bytes);
    t.instr += c.instr;
    t.cycles += own;
    t.stall_cycles += c.stall_cycles;
    t.l2_misses += c.l2_misses;
    t.cache_to_cache_lines += static_cast<double>(acc.from_peer);
  }
  return c;
}

double CpuCostModel::miss_stall_ns(double from_memory, double from_peer) const {
  const double ns = from_memory * params_.memory_latency_ns + from_peer * params_.peer_latency_ns;
  return ns > 0 ? ns / params_.misses_in_flight : 0.0;
}

void CpuCostModel::take_refetches(Picos now) {
  // Not before the clock reaches one: until then the taker keeps the line, and the snoop it
  // makes then finds the taker's piece of that moment charged (its loads in flight, if any).
  while (!refetches_.empty() && refetches_.front().at <= now) {
    std::pop_heap(refetches_.begin(), refetches_.end(), later);
    const Refetch r = refetches_.back();
    refetches_.pop_back();
    access_lo_ = r.lo;
    access_hi_ = r.lo + r.bytes;
    access_at_ = r.at;
    const AccessCounts a = r.write ? caches_.write(r.cpu, r.lo, r.bytes) : caches_.read(r.cpu, r.lo, r.bytes);
    access_hi_ = access_lo_;
    if (a.misses == 0) continue;
    const double stall =
        miss_stall_ns(static_cast<double>(a.from_memory), static_cast<double>(a.from_peer)) * hz_ / kNanosPerSecond;
    // Paid by what the victim runs next, as a clear's penalty is.
    pending_cycles_[r.cpu] += stall;
    if (!counting_) continue;
    BinCounters& b = at(counters_[r.cpu], catalog_[r.path].bin);
    b.cycles += stall;
    b.l2_misses += static_cast<double>(a.misses);
    b.cache_to_cache_lines += static_cast<double>(a.from_peer);
    PathTally& t = tallies_[r.cpu][r.path];
    t.cycles += stall;
    t.stall_cycles += stall;
    t.l2_misses += static_cast<double>(a.misses);
    t.cache_to_cache_lines += static_cast<double>(a.from_peer);
  }
}

double CpuCostModel::bus_wait_ns(Picos now) {
  if (now - sample_start_ >= kBusSample) {
    const double span_ns = static_cast<double>(now - sample_start_) / kPicosPerNanoD;
    const double dma_ns = static_cast<double>(fsb_.busy_total() - dma_busy_at_sample_) / kPicosPerNanoD;
    const double cpu_ns = cpu_bytes_in_sample_ / fsb_.params().bytes_per_second * kNanosPerSecond;
    utilization_ = std::min(kMaxUtilization, (dma_ns + cpu_ns) / span_ns);
    sample_start_ = now;
    dma_busy_at_sample_ = fsb_.busy_total();
    cpu_bytes_in_sample_ = 0;
  }
  return line_ns_ * utilization_ / (2 * (1 - utilization_));
}

double CpuCostModel::clear(int cpu, double n, PathId path, ClearCause cause) {
  // A flush while the CPU idles (in hlt) loses no work: its penalty is idle time.
  const bool idle = path == kNoPath;
  const double penalty = idle ? 0.0 : n * params_.clear_penalty_cycles;
  if (counting_) {
    BinCounters& b = at(counters_[cpu], idle ? Bin::Idle : catalog_[path].bin);
    b.clears += n;
    b.clears_by_cause[static_cast<std::size_t>(cause)] += n;
    b.cycles += penalty;
    if (!idle) {
      PathTally& t = tallies_[cpu][path];
      t.clears += n;
      t.cycles += penalty;
    }
  }
  return penalty;
}


void CpuCostModel::device_write(Addr addr, std::uint64_t bytes, Picos now) {
  if (!refetches_.empty()) take_refetches(now);
  access_lo_ = addr;
  access_hi_ = addr + bytes;
  access_at_ = now;
  access_by_device_ = true;
  caches_.dma_write(addr, bytes);
  access_by_device_ = false;
  access_hi_ = access_lo_;
}

void CpuCostModel::begin_piece(int cpu, Picos now) {
  // Those due before this piece may find this CPU's last one in flight: take them before it goes.
  if (!refetches_.empty()) take_refetches(now);
  Piece& p = pieces_[cpu];
  p.clear();
  p.start = now;
  p.until = std::numeric_limits<Picos>::max();
}

PathId CpuCostModel::path_at(int cpu, Picos at) const {
  const Piece& p = pieces_[cpu];
  if (at < p.until)
    for (const Piece::Part& part : p.parts)
      if (at >= part.from && at < part.to) return part.path;
  return running_[cpu];
}

Piece CpuCostModel::suspend_piece(int cpu, Picos now) {
  const PathId returns_to = path_at(cpu, now);
  Piece p = std::move(pieces_[cpu]);
  p.returns_to = returns_to;
  // Its reloads still to come go with it: its paths reach those lines only once it resumes.
  const auto stays = std::partition(refetches_.begin(), refetches_.end(),
                                    [&](const Refetch& r) { return r.cpu != cpu || r.at <= now; });
  if (stays != refetches_.end()) {
    p.refetches.assign(stays, refetches_.end());
    refetches_.erase(stays, refetches_.end());
    std::make_heap(refetches_.begin(), refetches_.end(), later);
  }
  // The handler's piece reuses storage a resumed piece left behind: no allocation per interrupt.
  Piece& next = pieces_[cpu];
  if (spare_.empty()) {
    next = Piece{};
  } else {
    next = std::move(spare_.back());
    spare_.pop_back();
    next.clear();
  }
  return p;
}

void CpuCostModel::resume_piece(int cpu, Piece piece, Picos until) {
  // What it had not yet run runs later by as long as it was preempted.
  const Picos delay = until - piece.until;
  for (Piece::Span& s : piece.spans) {
    s.from += delay;
    s.to += delay;
  }
  for (Piece::Part& part : piece.parts) {
    part.from += delay;
    part.to += delay;
  }
  for (Refetch& r : piece.refetches) {
    r.at += delay;
    refetches_.push_back(r);
    std::push_heap(refetches_.begin(), refetches_.end(), later);
  }
  piece.refetches.clear();
  piece.until = until;
  running_[cpu] = piece.returns_to;
  spare_.push_back(std::move(pieces_[cpu]));
  pieces_[cpu] = std::move(piece);
}

double CpuCostModel::take_pending_cycles(int cpu) {
  const double c = pending_cycles_[cpu];
  pending_cycles_[cpu] = 0;
  return c;
}

void CpuCostModel::on_snoop(int victim, std::uint64_t lines) {
  // A memory-ordering clear needs a load in flight on a line the snoop takes: only an access
  // while the victim's piece runs, on lines that piece touches, can cause one.
  const Piece& piece = pieces_[victim];
  if (access_hi_ <= access_lo_) return;
  // Line numbers by shifts: the search below runs over every later span of the piece.
  const unsigned shift = caches_.line_shift();
  const std::uint64_t line = std::uint64_t{1} << shift;
  // The lines of span `s` the access under way covers: [lo, hi) in line numbers.
  const auto overlap = [&](const Piece::Span& s) {
    return std::pair<Addr, Addr>{std::max(s.lo, access_lo_) >> shift, (std::min(s.hi, access_hi_) + line - 1) >> shift};
  };
  // Of the lines a path walks, only as many as its loads in flight are exposed at once.
  double exposed = 0;
  double most = 0;
  PathId path = kNoPath;  // the path of the span most exposed
  // Spans are appended in time order, path after path: only those of the path running at
  // access_at_ can be in flight, and they sit together.
  auto s_it = std::upper_bound(piece.spans.begin(), piece.spans.end(), access_at_,
                               [](Picos at, const Piece::Span& s) { return at < s.to; });
  for (; s_it != piece.spans.end() && s_it->from <= access_at_; ++s_it) {
    const Piece::Span& s = *s_it;
    const auto [lo, hi] = overlap(s);
    if (hi <= lo || !s.loads) continue;
    const double walked = static_cast<double>(((s.hi + line - 1) >> shift) - (s.lo >> shift));
    // A line's load stays in flight while the window holds it: with the window full (Little's
    // law), for window_uops of the path's uops, whatever its cycles per uop. A line the path reads
    // all along has a load in flight all along.
    const double in_window = s.instr > 0 && !s.throughout ? params_.window_uops / s.instr : 1.0;
    const double e = static_cast<double>(std::min<std::uint64_t>(hi - lo, lines)) *
                     std::min({1.0, params_.loads_in_flight / walked, in_window});
    exposed += e;
    if (e > most) {
      most = e;
      path = s.path;
    }
  }
  // The first of the victim's later paths that touches these lines loads them again (the spans
  // from s_it on all begin after access_at_).
  for (; s_it != piece.spans.end(); ++s_it) {
    const Piece::Span& s = *s_it;
    const auto [lo, hi] = overlap(s);
    if (hi <= lo) continue;
    refetches_.push_back({victim, lo * line, std::min<std::uint64_t>(hi - lo, lines) * line, s.from, s.path, s.write});
    std::push_heap(refetches_.begin(), refetches_.end(), later);
    break;
  }
  if (exposed <= 0 || params_.snoop_clear_per_line <= 0) return;
  const double clears = std::min(exposed, static_cast<double>(lines)) * params_.snoop_clear_per_line;
  // The penalty is paid by what the victim runs next.
  pending_cycles_[victim] += clear(victim, clears, path, access_by_device_ ? ClearCause::SnoopByDevice : ClearCause::SnoopByCpu);
}

}  // namespace iscsim::models
