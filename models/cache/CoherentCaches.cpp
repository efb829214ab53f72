#include "models/cache/CoherentCaches.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace iscsim::models {

namespace {

// Bounds on parameter files: wide enough for any cache of the era, narrow enough to catch a value
// typed in the wrong unit (KB for B) and to keep the flat per-CPU arrays a sane size.
constexpr long long kMaxSizeBytes = 1LL << 30;
constexpr long long kMaxWays = 256;
// victim() ranks a way by (LRU stamp << kWayBits | way) so one min finds the oldest way.
constexpr unsigned kWayBits = 8;
constexpr std::uint64_t kWayMask = (std::uint64_t{1} << kWayBits) - 1;
static_assert(kMaxWays <= (1LL << kWayBits), "a way number must fit in the victim() key");
constexpr long long kMinLineBytes = 4;
constexpr long long kMaxLineBytes = 4096;
constexpr long long kMaxSectorLines = 64;
// The requester of a device access: no CPU, so every CPU holding a line is snooped.
constexpr int kDevice = -1;

bool power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// Why `g` cannot be simulated, or empty when it can: the lookup uses shifts and masks, so lines,
// sets and sectors must be powers of two, and a sector's lines must fall into distinct sets so a
// sector fill never evicts its own demand line.
std::string geometry_problem(const CacheGeometry& g) {
  if (g.ways == 0 || g.line_bytes == 0 || g.size_bytes == 0) return "size_bytes, ways and line_bytes must be positive";
  if (!power_of_two(g.line_bytes)) return "line_bytes " + std::to_string(g.line_bytes) + " is not a power of two";
  const std::uint64_t way_bytes = std::uint64_t{g.ways} * g.line_bytes;
  if (g.size_bytes % way_bytes != 0)
    return "size_bytes " + std::to_string(g.size_bytes) + " is not a whole number of sets of ways * line_bytes = " +
           std::to_string(way_bytes) + " B";
  if (!power_of_two(g.sets()))
    return "size_bytes / (ways * line_bytes) = " + std::to_string(g.sets()) + " sets, which is not a power of two";
  if (!power_of_two(g.sector_lines)) return "sector_lines " + std::to_string(g.sector_lines) + " is not a power of two";
  if (g.sector_lines > g.sets())
    return "sector_lines " + std::to_string(g.sector_lines) + " exceeds the " + std::to_string(g.sets()) + " sets";
  return {};
}

std::uint32_t log2_of(std::uint64_t power) {
  std::uint32_t shift = 0;
  while ((std::uint64_t{1} << shift) < power) ++shift;
  return shift;
}

}  // namespace

CacheGeometry CacheGeometry::from(const ParamSet& p) {
  CacheGeometry g;
  g.size_bytes = static_cast<std::uint32_t>(p.integer("size_bytes", 1, kMaxSizeBytes));
  g.ways = static_cast<std::uint32_t>(p.integer("ways", 1, kMaxWays));
  g.line_bytes = static_cast<std::uint32_t>(p.integer("line_bytes", kMinLineBytes, kMaxLineBytes));
  g.sector_lines = static_cast<std::uint32_t>(p.integer("sector_lines", 1, kMaxSectorLines));
  const std::string problem = geometry_problem(g);
  if (!problem.empty()) throw ParamError(p.origin() + ": cache geometry: " + problem);
  return g;
}

AccessCounts& AccessCounts::operator+=(const AccessCounts& o) {
  lines += o.lines;
  misses += o.misses;
  from_memory += o.from_memory;
  from_peer += o.from_peer;
  upgrades += o.upgrades;
  prefetched += o.prefetched;
  writebacks += o.writebacks;
  bus_bytes += o.bus_bytes;
  return *this;
}

CoherentCaches::CoherentCaches(const CacheGeometry& geometry, int cpus) : geometry_(geometry), cpus_(cpus) {
  const std::string problem = geometry_problem(geometry);
  if (!problem.empty()) throw std::invalid_argument("CoherentCaches: " + problem);
  if (cpus < 1) throw std::invalid_argument("CoherentCaches: need at least one CPU, got " + std::to_string(cpus));
  line_shift_ = log2_of(geometry.line_bytes);
  set_mask_ = geometry.sets() - 1;
  slots_per_cpu_ = static_cast<std::size_t>(geometry.sets()) * geometry.ways;
  const std::size_t slots = slots_per_cpu_ * static_cast<std::size_t>(cpus);
  tags_.assign(slots, kNoLine);
  used_.assign(slots, 0);
  states_.assign(slots, Mesi::Invalid);
  snooped_.assign(static_cast<std::size_t>(cpus), 0);
}

void CoherentCaches::check_cpu(int cpu) const {
  if (cpu < 0 || cpu >= cpus_)
    throw std::out_of_range("CoherentCaches: cpu " + std::to_string(cpu) + " out of range [0, " +
                            std::to_string(cpus_) + ")");
}

CoherentCaches::Slot CoherentCaches::find(int cpu, std::uint64_t line) const {
  const Slot set = static_cast<Slot>(cpu) * slots_per_cpu_ + (line & set_mask_) * geometry_.ways;
  const std::uint64_t* tags = tags_.data() + set;
  for (std::uint32_t w = 0; w < geometry_.ways; ++w) {
    if (tags[w] == line) return set + w;
  }
  return kNoSlot;
}

CoherentCaches::Slot CoherentCaches::victim(int cpu, std::uint64_t line, AccessCounts& counts) {
  const Slot set = static_cast<Slot>(cpu) * slots_per_cpu_ + (line & set_mask_) * geometry_.ways;
  const std::uint64_t* used = used_.data() + set;
  // An invalid way has stamp 0 and valid stamps start at 1, so the oldest stamp is an invalid way
  // if there is one. One min over (stamp, way) keys: no branch on which way is oldest.
  std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
  for (std::uint32_t w = 0; w < geometry_.ways; ++w) oldest = std::min(oldest, used[w] << kWayBits | w);
  const Slot s = set + (oldest & kWayMask);
  if (states_[s] == Mesi::Modified) {
    ++counts.writebacks;
    counts.bus_bytes += geometry_.line_bytes;
  }
  return s;
}

void CoherentCaches::fill(int cpu, std::uint64_t line, Mesi state, AccessCounts& counts) {
  const Slot s = victim(cpu, line, counts);
  tags_[s] = line;
  states_[s] = state;
  used_[s] = ++clock_;
  counts.bus_bytes += geometry_.line_bytes;
}

Mesi CoherentCaches::snoop_read(int cpu, std::uint64_t line, bool& hitm, AccessCounts& counts) {
  bool other_valid = false;
  hitm = false;
  for (int p = 0; p < cpus_; ++p) {
    if (p == cpu) continue;
    const Slot s = find(p, line);
    if (s == kNoSlot) continue;
    other_valid = true;
    if (states_[s] == Mesi::Modified) {
      // HITM: the owner supplies the line and writes it back, keeping a clean copy.
      hitm = true;
      ++counts.writebacks;
      counts.bus_bytes += geometry_.line_bytes;
      ++snooped_[static_cast<std::size_t>(p)];
    }
    states_[s] = Mesi::Shared;  // a second reader ends exclusivity (E -> S is silent: no snoop count)
  }
  return other_valid ? Mesi::Shared : Mesi::Exclusive;
}

bool CoherentCaches::invalidate_others(int cpu, std::uint64_t line) {
  bool had_modified = false;
  for (int p = 0; p < cpus_; ++p) {
    if (p == cpu) continue;
    const Slot s = find(p, line);
    if (s == kNoSlot) continue;
    had_modified |= states_[s] == Mesi::Modified;
    invalidate(s);
    ++snooped_[static_cast<std::size_t>(p)];
  }
  return had_modified;
}

void CoherentCaches::read_line(int cpu, std::uint64_t line, AccessCounts& counts) {
  if (const Slot s = find(cpu, line); s != kNoSlot) {
    used_[s] = ++clock_;
    return;
  }
  ++counts.misses;
  bool hitm = false;
  const Mesi got = snoop_read(cpu, line, hitm, counts);
  fill(cpu, line, got, counts);
  if (hitm) {
    ++counts.from_peer;
    return;
  }
  ++counts.from_memory;
  // A miss served by memory fetches the whole sector (NetBurst L2: both 64 B halves of 128 B).
  const std::uint64_t sector_first = line & ~(std::uint64_t{geometry_.sector_lines} - 1);
  for (std::uint64_t companion = sector_first; companion < sector_first + geometry_.sector_lines; ++companion) {
    if (companion == line || find(cpu, companion) != kNoSlot) continue;
    bool companion_hitm = false;
    const Mesi companion_state = snoop_read(cpu, companion, companion_hitm, counts);
    fill(cpu, companion, companion_state, counts);
    ++counts.prefetched;
  }
}

void CoherentCaches::write_line(int cpu, std::uint64_t line, AccessCounts& counts) {
  if (const Slot s = find(cpu, line); s != kNoSlot) {
    if (states_[s] == Mesi::Shared) {
      invalidate_others(cpu, line);
      ++counts.upgrades;
    }
    states_[s] = Mesi::Modified;
    used_[s] = ++clock_;
    return;
  }
  // Read for ownership: one bus transaction fetches the line and invalidates every other copy.
  ++counts.misses;
  if (invalidate_others(cpu, line)) {
    ++counts.from_peer;
  } else {
    ++counts.from_memory;
  }
  fill(cpu, line, Mesi::Modified, counts);
}

AccessCounts CoherentCaches::access(int cpu, Addr addr, std::uint64_t bytes, bool write) {
  check_cpu(cpu);
  AccessCounts counts;
  if (bytes == 0) return counts;
  std::fill(snooped_.begin(), snooped_.end(), 0);
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + bytes - 1) >> line_shift_;
  counts.lines = last - first + 1;
  for (std::uint64_t line = first; line <= last; ++line) {
    if (write) {
      write_line(cpu, line, counts);
    } else {
      read_line(cpu, line, counts);
    }
  }
  notify_victims();
  return counts;
}

AccessCounts CoherentCaches::read(int cpu, Addr addr, std::uint64_t bytes) { return access(cpu, addr, bytes, false); }

AccessCounts CoherentCaches::write(int cpu, Addr addr, std::uint64_t bytes) { return access(cpu, addr, bytes, true); }

AccessCounts CoherentCaches::dma_write(Addr addr, std::uint64_t bytes) { return device_access(addr, bytes, true); }

AccessCounts CoherentCaches::dma_read(Addr addr, std::uint64_t bytes) { return device_access(addr, bytes, false); }

AccessCounts CoherentCaches::device_access(Addr addr, std::uint64_t bytes, bool write) {
  AccessCounts counts;
  if (bytes == 0) return counts;
  std::fill(snooped_.begin(), snooped_.end(), 0);
  const std::uint64_t first = addr >> line_shift_;
  const std::uint64_t last = (addr + bytes - 1) >> line_shift_;
  counts.lines = last - first + 1;
  for (std::uint64_t line = first; line <= last; ++line) {
    if (write) {
      // The device overwrites the whole line, so a Modified copy is dropped, not written back.
      invalidate_others(kDevice, line);
      continue;
    }
    for (int p = 0; p < cpus_; ++p) {
      const Slot s = find(p, line);
      if (s == kNoSlot || states_[s] != Mesi::Modified) continue;
      ++counts.writebacks;
      counts.bus_bytes += geometry_.line_bytes;
      states_[s] = Mesi::Shared;
      ++snooped_[static_cast<std::size_t>(p)];
    }
  }
  counts.bus_bytes += counts.lines * geometry_.line_bytes;
  notify_victims();
  return counts;
}

void CoherentCaches::notify_victims() {
  // The listener must not call back into this object: the counts of later CPUs are still pending.
  for (std::size_t p = 0; p < snooped_.size(); ++p) {
    const std::uint64_t lines = snooped_[p];
    snooped_[p] = 0;
    if (lines != 0 && listener_) listener_(static_cast<int>(p), lines);
  }
}

Mesi CoherentCaches::state(int cpu, Addr addr) const {
  check_cpu(cpu);
  const Slot s = find(cpu, addr >> line_shift_);
  return s == kNoSlot ? Mesi::Invalid : states_[s];
}

}  // namespace iscsim::models
