#pragma once
// The timeline tracks of a costed host's CPUs: one per CPU, named with its index and role
// ("CPU0 cpu", "CPU1 ppe"), in a process named after the host.
#include <string>
#include <vector>

#include "sim/host/CostedHost.hpp"
#include "sim/world/Timeline.hpp"

namespace iscsim::host {

inline std::vector<world::TimelineTrack> cpu_tracks(world::Timeline& timeline, const std::string& host,
                                                    const CostedHost& cpus) {
  std::vector<world::TimelineTrack> tracks;
  for (int c = 0; c < cpus.cpu_count(); ++c)
    tracks.push_back(timeline.track(host, "CPU" + std::to_string(c) + " " + role_name(cpus.role(c))));
  return tracks;
}

}  // namespace iscsim::host
