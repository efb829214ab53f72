#include "sim/world/SimgridClock.hpp"

#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <memory>

namespace sg4 = simgrid::s4u;

XBT_LOG_NEW_DEFAULT_CATEGORY(iscsim_clock, "iscsim: the calendar actor");

namespace iscsim::world {

namespace {
// SimGrid moves no frame of ours (the link models do), but wherever it moves bytes it must use a
// store-and-forward model without TCP-like slow start or cross traffic, so only our TCP shapes
// traffic (SimGrid 3.32 CM02 with gamma 0).
const char* const kNetworkConfig[] = {"network/model:CM02", "network/TCP-gamma:0", "network/crosstraffic:0"};
// Quiet by default; the user's own --log options come after these and win.
const char* const kQuietLog[] = {"--log=root.thresh:warning", "--log=xbt_cfg.thresh:warning"};
}  // namespace

struct SimgridClock::Impl {
  std::vector<std::string> argv_storage;
  std::vector<char*> argv;
  std::unique_ptr<sg4::Engine> engine;
  sg4::Host* clock_host = nullptr;
};

SimgridClock::SimgridClock(const PlatformSpec& platform, const std::vector<std::string>& simgrid_args)
    : impl_(new Impl) {
  impl_->argv_storage.emplace_back("iscsim");
  for (const char* a : kQuietLog) impl_->argv_storage.emplace_back(a);
  for (const std::string& a : simgrid_args) impl_->argv_storage.push_back(a);
  for (std::string& s : impl_->argv_storage) impl_->argv.push_back(s.data());
  int argc = static_cast<int>(impl_->argv.size());
  impl_->engine = std::make_unique<sg4::Engine>(&argc, impl_->argv.data());
  for (const char* c : kNetworkConfig) sg4::Engine::set_config(c);

  auto* zone = sg4::create_full_zone("iscsim");
  std::vector<sg4::Host*> cpus;
  for (const std::string& name : platform.cpu_hosts) cpus.push_back(zone->create_host(name, platform.cpu_hz));
  for (std::size_t i = 0; i < platform.target_hosts.size(); ++i) {
    sg4::Host* target = zone->create_host(platform.target_hosts[i], platform.target_hz);
    // Full duplex: each direction has the whole bandwidth.
    sg4::SplitDuplexLink* wire = zone->create_split_duplex_link("nic" + std::to_string(i) + "-wire",
                                                                platform.link_bytes_per_s);
    wire->set_latency(platform.link_latency_s);
    for (sg4::Host* cpu : cpus)
      zone->add_route(cpu->get_netpoint(), target->get_netpoint(), nullptr, nullptr,
                      {sg4::LinkInRoute(wire, sg4::LinkInRoute::Direction::UP)}, true);
  }
  zone->seal();
  impl_->clock_host = cpus.at(0);
}

SimgridClock::~SimgridClock() { delete impl_; }

namespace {
// Events between two synchronizations with SimGrid (and progress calls): a run does 10^5 events
// per wall second or more, so a display hears often enough, and the round trips cost nothing
// measurable.
constexpr std::uint64_t kSyncEvents = 4096;
}  // namespace

ClockStats SimgridClock::run(Calendar& calendar, Picos limit, const std::function<bool()>& done,
                             const ProgressHook& progress) {
  ClockStats stats;
  sg4::Actor::create("calendar", impl_->clock_host, [&] {
    // SimGrid owns simulated time: its clock is brought up to the calendar's at every sync point
    // and at the end, and is never ahead of it. No other actor shares the calendar's events, so
    // nothing can observe time between two sync points, and the events in between run in
    // process, each at its own calendar time.
    const auto sync = [&] {
      const double now = models::seconds_from_picos(calendar.now());
      if (now <= sg4::Engine::get_clock()) return;
      sg4::this_actor::sleep_until(now);
      ++stats.simgrid_activities;
    };
    if (progress) progress(0.0);
    for (std::uint64_t n = 1; !calendar.empty() && calendar.next_time() <= limit && !done(); ++n) {
      if (n % kSyncEvents == 0) {
        sync();
        if (progress) progress(sg4::Engine::get_clock());
      }
      calendar.run_next();
    }
    sync();
  });
  impl_->engine->run();
  stats.events = calendar.events_run();
  stats.end_time_s = sg4::Engine::get_clock();
  return stats;
}

std::string SimgridClock::simgrid_version() {
  return std::to_string(SIMGRID_VERSION_MAJOR) + "." + std::to_string(SIMGRID_VERSION_MINOR) + "." +
         std::to_string(SIMGRID_VERSION_PATCH);
}

}  // namespace iscsim::world
