#pragma once
// A code path of the simulated kernel or application (tcp_rcv_established, copy_to_user, ...):
// its profile bin, the instructions it retires per call and per byte, its core CPI (compute
// only: memory stalls and clears are added by the cost model) and the code and static data it
// touches per call. The catalog of them is a parameter file with bounds for calibration.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cpu/Bin.hpp"

namespace iscsim::models {

// A calibrated quantity with the physically plausible range written beside it.
struct BoundedValue {
  double value = 0;
  double min = 0;
  double max = 0;
  std::string source;
};

// What the cycles of a path's source stand for: compute alone, or the whole path as measured
// or estimated, memory stalls and uncached accesses included (platform-params section 11).
enum class SourcedCycles { Core, Total };

struct CodePath {
  std::string name;
  Bin bin = Bin::Others;
  std::string per;  // what one call is (a frame, a PDU, a system call): documentation only
  BoundedValue instr_per_call;
  BoundedValue instr_per_byte;
  BoundedValue cpi;
  BoundedValue footprint_bytes;  // code and static data read per call (instruction fetch misses)
  // Uncached device-register accesses per call (an e1000 ICR read, a TDT tail write): the CPU
  // waits a PCI round trip (reads) or a UC store (writes), in nanoseconds, not a CPI.
  // Whether the sourced instructions x CPI are compute only or the path's total cycles: a fitted
  // value is compared with its source like for like.
  SourcedCycles sourced_cycles = SourcedCycles::Core;
  double mmio_reads = 0;
  double mmio_writes = 0;
  std::string mmio_source;
  // Privilege transitions per call that NetBurst runs in microcode (an int 0x80 or an interrupt's
  // delivery, with its iret): a fixed number of cycles each, not a CPI.
  double traps = 0;
  std::string traps_source;
  // Lock-prefixed read-modify-writes per call and per byte (spin_lock's lock decb, atomic_inc,
  // set_bit): NetBurst drains its pipeline for each, a fixed number of cycles, not a CPI.
  double locked_ops = 0;
  double locked_ops_per_byte = 0;
  std::string locked_ops_source;
  // Whether what the path only stores to (a copy's destination) it writes with a rep movs or
  // rep stos, which NetBurst runs line by line as a fast string: the source saying so, or empty.
  std::string string_stores_source;
  bool string_stores() const { return !string_stores_source.empty(); }

  double instructions(double calls, double bytes) const {
    return calls * instr_per_call.value + bytes * instr_per_byte.value;
  }
  // Cycles of computation alone (no stalls): what a lock holder keeps the lock for at least.
  double compute_cycles(double calls, double bytes) const { return instructions(calls, bytes) * cpi.value; }
};

using PathId = std::size_t;
// No path: the idle loop.
inline constexpr PathId kNoPath = static_cast<PathId>(-1);

class CodePathCatalog {
 public:
  // models/params/cpu/<name>.json under `params_dir`.
  static CodePathCatalog load(const std::string& params_dir, const std::string& name);
  static CodePathCatalog load(const std::string& path);
  static CodePathCatalog parse(const nlohmann::json& doc, const std::string& origin);
  nlohmann::json to_json() const;
  // Adds the paths of `extra` (another architecture's own code); a name defined twice throws.
  void add(const CodePathCatalog& extra);
  // Replaces the fixed counts (mmio, traps, locked_ops) the patch file at `path` gives for some
  // of the paths: another version of their code, whose instructions and CPIs stay the catalog's.
  void apply_patch(const std::string& path);

  // The path named `name`; throws naming the file and the known paths when it is missing.
  PathId id(const std::string& name) const;
  const CodePath& operator[](PathId id) const { return paths_[id]; }
  CodePath& operator[](PathId id) { return paths_[id]; }
  std::size_t size() const { return paths_.size(); }
  const std::string& origin() const { return origin_; }
  const std::string& description() const { return description_; }
  void set_description(std::string d) { description_ = std::move(d); }

 private:
  std::vector<CodePath> paths_;
  std::map<std::string, PathId> by_name_;
  std::string origin_;
  std::string description_;
};

// Bin from its name as in the paper ("TCP", "Copies", ...); throws std::invalid_argument.
Bin bin_from_name(const std::string& name);

}  // namespace iscsim::models
