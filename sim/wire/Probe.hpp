#pragma once
// What `iscsim probe` does against a real target: log in with the simulator's initiator code,
// identify the LUN (INQUIRY, READ CAPACITY), write a fresh pattern, read it back and compare,
// put the old contents back, log out. The result says what was found at each step.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "sim/stack/iscsi/SessionParams.hpp"
#include "sim/wire/IscsiUrl.hpp"

namespace iscsim::wire {

// Bytes the pattern covers: a few PDUs and an R2T-solicited burst with default parameters
// (FirstBurstLength 64 KiB), small enough to be quick on any LUN.
inline constexpr std::uint32_t kDefaultPatternBytes = 256 << 10;
// How long one step (connect, login, one command) may wait for the target.
inline constexpr std::chrono::milliseconds kDefaultProbeTimeout{10000};

struct ProbeOptions {
  std::string initiator_name = "iqn.2004-01.org.iscsim:probe";
  std::uint32_t pattern_bytes = kDefaultPatternBytes;
  std::chrono::milliseconds timeout = kDefaultProbeTimeout;
};

struct ProbeReport {
  stack::iscsi::SessionParams params;
  std::uint8_t peripheral_qualifier = 0;  // INQUIRY byte 0, high 3 bits: 3 is no LUN here
  std::uint8_t peripheral_type = 0;       // INQUIRY byte 0, low 5 bits: 0 is a block device
  std::string vendor, product, revision;
  std::uint64_t blocks = 0;
  std::uint32_t block_bytes = 0;
  std::uint64_t pattern_lba = 0;
  std::uint32_t pattern_bytes = 0;  // 0: no pattern test (not a block device, absent LUN)
  bool pattern_verified = false;    // `iscsim probe` exits 0 only when this holds
  std::string mismatch;  // where the read-back differed
  bool restored = false;  // the blocks' previous contents were written back
  bool logged_out = false;
};

// Runs the probe; throws LoginRefused, WireError (network, protocol, SCSI failure).
ProbeReport run_probe(const IscsiUrl& url, const ProbeOptions& options);
// The report as `iscsim probe` prints it.
void print_probe(std::ostream& out, const IscsiUrl& url, const ProbeReport& r);

}  // namespace iscsim::wire
