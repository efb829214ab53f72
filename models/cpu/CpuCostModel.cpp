#include "models/cpu/CpuCostModel.hpp"

#include <algorithm>
#include <cmath>

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
  c.idle_instr_per_cycle = p.number("idle_instr_per_cycle");
  c.prefetch_after_misses = p.number("prefetch_after_misses");
  c.prefetch_page_bytes = p.number("prefetch_page_bytes");
  c.mmio_read_ns = p.number("mmio_read_ns");
  c.mmio_write_ns = p.number("mmio_write_ns");
  if (c.memory_latency_ns <= 0 || c.peer_latency_ns <= 0 || c.misses_in_flight < 1 || c.clear_penalty_cycles < 0 ||
      c.snoop_clear_per_line < 0 || c.snoop_clear_per_line > 1 || c.idle_instr_per_cycle < 0 || c.prefetch_after_misses < 0 || c.prefetch_page_bytes <= 0 ||
      c.mmio_read_ns < 0 || c.mmio_write_ns < 0)
    throw ParamError(p.origin() +
                     ": latencies must be positive, misses_in_flight >= 1, snoop_clear_per_line in [0, 1], "
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
      running_(cpus, Bin::Idle),
      pending_cycles_(cpus, 0.0),
      counters_(cpus),
      tallies_(cpus, std::vector<PathTally>(catalog.size())) {
  // Code regions are sized by the bound, not the value, so calibration does not move them.
  for (PathId i = 0; i < catalog.size(); ++i)
    code_.push_back(memory.region(static_cast<std::uint64_t>(std::max(1.0, catalog[i].footprint_bytes.max))));
  caches_.set_snoop_listener([this](int victim, std::uint64_t lines) { on_snoop(victim, lines); });
}

Cost CpuCostModel::run(int cpu, PathId id, double calls, std::uint64_t bytes, std::initializer_list<Touch> touches,
                       Picos now) {
  const CodePath& p = catalog_[id];
  running_[cpu] = p.bin;
  Cost c;
  c.instr = p.instructions(calls, static_cast<double>(bytes));
  AccessCounts acc;
  double exposed = 0;  // misses from memory whose latency the core waits for
  const auto stream = [&](Addr addr, std::uint64_t bytes, bool write) {
    const AccessCounts a = write ? caches_.write(cpu, addr, bytes) : caches_.read(cpu, addr, bytes);
    // Once a sequential stream has missed a few times in a page the prefetcher runs ahead of it:
    // the rest of that page's misses cost bus time, not latency.
    const double pages = std::ceil(static_cast<double>(bytes) / params_.prefetch_page_bytes);
    exposed += std::min(static_cast<double>(a.from_memory), pages * params_.prefetch_after_misses);
    acc += a;
  };
  const auto footprint = static_cast<std::uint64_t>(p.footprint_bytes.value);
  if (footprint > 0) stream(code_[id], footprint, false);
  for (const Touch& t : touches)
    if (t.bytes > 0) stream(t.addr, t.bytes, t.write);
  c.l2_misses = static_cast<double>(acc.misses);
  double stall_ns = exposed * params_.memory_latency_ns / params_.misses_in_flight +
                    static_cast<double>(acc.from_peer) * params_.peer_latency_ns +
                    calls * (p.mmio_reads * params_.mmio_read_ns + p.mmio_writes * params_.mmio_write_ns);
  if (acc.bus_bytes > 0) {
    // Every fill queues behind the bus's other traffic; and a path never moves its lines faster
    // than the bus can.
    const double bytes = static_cast<double>(acc.bus_bytes);
    const double wait_ns = bus_wait_ns(now);
    cpu_bytes_in_sample_ += bytes;
    const double bus_ns = bytes / fsb_.params().bytes_per_second * kNanosPerSecond;
    stall_ns = std::max(stall_ns + (exposed + static_cast<double>(acc.from_peer)) * wait_ns, bus_ns);
  }
  c.stall_cycles = stall_ns * hz_ / kNanosPerSecond;
  const double own = c.instr * p.cpi.value + c.stall_cycles;
  // Clear penalties owed from snoops were counted where they happened; here they only take time.
  c.cycles = own + take_pending_cycles(cpu);
  if (counting_) {
    BinCounters& b = at(counters_[cpu], p.bin);
    b.cycles += own;
    b.instr += c.instr;
    b.l2_misses += c.l2_misses;
    PathTally& t = tallies_[cpu][id];
    t.calls += calls;
    t.bytes += static_cast<double>(bytes);
    t.instr += c.instr;
    t.stall_cycles += c.stall_cycles;
  }
  return c;
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
  const double line_ns = fsb_.params().line_bytes / fsb_.params().bytes_per_second * kNanosPerSecond;
  return line_ns * utilization_ / (2 * (1 - utilization_));
}

double CpuCostModel::clear(int cpu, double n) {
  const Bin bin = running_[cpu];
  // An idle CPU loses no work to a flush: its penalty is idle time.
  const double penalty = bin == Bin::Idle ? 0.0 : n * params_.clear_penalty_cycles;
  if (counting_) {
    at(counters_[cpu], bin).clears += n;
    at(counters_[cpu], bin).cycles += penalty;
  }
  return penalty;
}

double CpuCostModel::take_pending_cycles(int cpu) {
  const double c = pending_cycles_[cpu];
  pending_cycles_[cpu] = 0;
  return c;
}

void CpuCostModel::on_snoop(int victim, std::uint64_t lines) {
  const double clears = static_cast<double>(lines) * params_.snoop_clear_per_line;
  if (clears <= 0) return;
  // The penalty is paid by whatever the victim runs next; an idle CPU loses nothing but the count.
  pending_cycles_[victim] += clear(victim, clears);
}

}  // namespace iscsim::models
