#include "sim/cli/RunArguments.hpp"

#include <cmath>
#include <cstdlib>

#include <boost/program_options/errors.hpp>


namespace iscsim::cli {

namespace po = boost::program_options;

namespace {

// A simulated second as the capture counts it.
constexpr double kNanosPerSecond = 1e9;

// Far beyond any run, and within the simulated clock's range (2^63 ps, about 107 days).
constexpr double kMaxWindowSeconds = 1e6;

struct Seconds {
  double from = 0;
  double until = 0;
};

// A number of simulated seconds, or nothing when `text` is not one.
std::optional<double> seconds(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

// `option`'s START:END, simulated seconds from the run's start with 0 <= START < END.
Seconds window_seconds(const std::string& option, const std::string& window) {
  const std::size_t colon = window.find(':');
  const auto from = colon == std::string::npos ? std::nullopt : seconds(window.substr(0, colon));
  const auto until = colon == std::string::npos ? std::nullopt : seconds(window.substr(colon + 1));
  if (!from || !until || !(*from < *until) || *until > kMaxWindowSeconds)
    throw po::error(option + " " + window + ": expected START:END, simulated seconds from the run's start "
                    "with 0 <= START < END <= 1e6, e.g. 0.05:0.06");
  return {*from, *until};
}

}  // namespace

std::string checked_run_name(const std::string& name) {
  const bool plain = !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
                     name.find('\0') == std::string::npos;
  if (!plain)
    throw po::error("--name \"" + name + "\": must be a plain name (no '/', not . or ..): it names the "
                    "directory out/NAME");
  return name;
}

trace::PcapOptions pcap_options(const std::optional<std::uint32_t>& snaplen, const std::optional<std::string>& window) {
  trace::PcapOptions o;
  if (snaplen) {
    if (*snaplen < trace::kMinSnapBytes || *snaplen > trace::kMaxSnapBytes)
      throw po::error("--pcap-snaplen " + std::to_string(*snaplen) + ": must be between " +
                      std::to_string(trace::kMinSnapBytes) + " (an Ethernet header) and " +
                      std::to_string(trace::kMaxSnapBytes) + " bytes; 96 keeps the headers of a data segment");
    o.snap_bytes = *snaplen;
  }
  if (window) {
    const Seconds s = window_seconds("--pcap-window", *window);
    o.from_ns = std::llround(s.from * kNanosPerSecond);
    o.until_ns = std::llround(s.until * kNanosPerSecond);
  }
  return o;
}

trace::TraceWindow trace_window(const std::string& window) {
  const Seconds s = window_seconds("--trace-window", window);
  return {models::picos_from_seconds(s.from), models::picos_from_seconds(s.until)};
}

}  // namespace iscsim::cli
