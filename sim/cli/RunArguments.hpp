#pragma once
// Values of `iscsim run` options that need more than a type check: the run's name, the
// capture's snap length and time window, and the timeline trace's window. Each throws
// boost::program_options::error (bad input) naming the option and what it allows.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/trace/ChromeTrace.hpp"
#include "sim/trace/PcapWriter.hpp"

namespace iscsim::cli {

// `--name NAME`: it names a directory under out/, so a single plain path component.
std::string checked_run_name(const std::string& name);

// `--pcap-snaplen BYTES` and `--pcap-window START:END` (simulated seconds from the run's start).
trace::PcapOptions pcap_options(const std::optional<std::uint32_t>& snaplen, const std::optional<std::string>& window);

// `--trace-window START:END` (simulated seconds from the run's start).
trace::TraceWindow trace_window(const std::string& window);

}  // namespace iscsim::cli
