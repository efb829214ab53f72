#pragma once
// TCP statistics as results.json reports them: per connection end, and summed over a run.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "sim/world/TcpEndpoint.hpp"

namespace iscsim::world {

nlohmann::json tcp_stats(const stack::tcp::Stats& s);
// One end's statistics, its addresses and its goodput over the window.
nlohmann::json connection_json(const TcpEndpoint& ep, double window_s, std::uint64_t window_bytes);
// Adds every counter of `connection` into `total`.
void add_tcp_totals(nlohmann::json& total, const nlohmann::json& connection);

}  // namespace iscsim::world
