#pragma once
// An SMP kernel on hand-timed work for the host tests: every path costs 1,000 instructions at
// CPI 1 on a 1 GHz clock (1 us a call), caches small, no clear penalty, so times are exact.
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "sim/host/kernel/CpuSet.hpp"
#include "sim/host/kernel/KernelModel.hpp"

namespace iscsim::host::kernel {

inline constexpr double kHz = 1e9;  // one cycle = 1 ns

// The scheduler's paths (Interface), "work" (TCP), and `extra` (Interface).
inline models::CodePathCatalog rig_catalog(std::initializer_list<const char*> extra = {}) {
  const char* path = R"({"bin": "%s", "instr_per_call": {"value": 1000, "min": 0, "max": 1e6, "source": "t"},
    "instr_per_byte": {"value": 0, "min": 0, "max": 0, "source": "t"}, "cpi": {"value": 1, "min": 1, "max": 1, "source": "t"},
    "footprint_bytes": {"value": 0, "min": 0, "max": 0, "source": "t"}})";
  nlohmann::json doc{{"paths", nlohmann::json::object()}};
  const auto add = [&](const char* name, const char* bin) {
    char buf[512];
    std::snprintf(buf, sizeof buf, path, bin);
    doc["paths"][name] = nlohmann::json::parse(buf);
  };
  for (const char* name : {"schedule", "wake_up", "ipi_handler", "send_ipi", "irq_entry", "spin_lock_wait", "apic_entry"})
    add(name, "Interface");
  add("work", "TCP");
  for (const char* name : extra) add(name, "Interface");
  return models::CodePathCatalog::parse(doc, "test");
}

// The KernelPaths members of `names`, resolved in `catalog`; the others stay 0.
inline KernelPaths kernel_paths(const models::CodePathCatalog& catalog, std::initializer_list<const char*> names) {
  const std::pair<const char*, models::PathId KernelPaths::*> members[] = {
      {"syscall", &KernelPaths::syscall},           {"raw_io_map", &KernelPaths::raw_io_map},
      {"raw_io_unmap", &KernelPaths::raw_io_unmap}, {"wait_kio", &KernelPaths::wait_kio},
      {"submit_bh", &KernelPaths::submit_bh},       {"scsi_request", &KernelPaths::scsi_request},
      {"scsi_map_bh", &KernelPaths::scsi_map_bh},   {"scsi_done", &KernelPaths::scsi_done},
      {"end_buffer_io", &KernelPaths::end_buffer_io}, {"iscsi_queuecommand", &KernelPaths::iscsi_queuecommand},
      {"dynamo_io", &KernelPaths::dynamo_io},       {"aio_request", &KernelPaths::aio_request},
      {"aio_notify", &KernelPaths::aio_notify},     {"signal_send", &KernelPaths::signal_send},
      {"signal_deliver", &KernelPaths::signal_deliver}, {"mod_timer", &KernelPaths::mod_timer}};
  KernelPaths k{};
  for (const char* name : names)
    for (const auto& [member, field] : members)
      if (std::string(member) == name) k.*field = catalog.id(name);
  return k;
}

struct Rig {
  // `extra_paths` join the catalog (Interface) and resolve in `kernel`.
  explicit Rig(int n_cpus = 2, std::initializer_list<const char*> extra_paths = {}, models::CpuParams cpu = params())
      : caches(models::CacheGeometry{1 << 16, 4, 64, 1}, n_cpus),
        fsb(models::MemoryBusParams{3.2e9, 64}),
        memory(64, 4096),
        paths(rig_catalog(extra_paths)),
        cost(cpu, paths, caches, fsb, memory, n_cpus, kHz),
        cpus(calendar, cost,
             SchedulerPaths{paths.id("schedule"), paths.id("wake_up"), paths.id("ipi_handler"), paths.id("send_ipi"),
                            paths.id("irq_entry"), paths.id("spin_lock_wait"), paths.id("work"),  // softirq entry: TCP
                            paths.id("apic_entry")},
             n_cpus),
        kernel(kernel_paths(paths, extra_paths)) {}
  static models::CpuParams params() {
    models::CpuParams p;
    p.memory_latency_ns = 100;
    p.peer_latency_ns = 100;
    p.clear_penalty_cycles = 0;  // keeps the arithmetic exact
    p.prefetch_page_bytes = 4096;  // and it streams from the first miss of a page on,
    p.prefetch_ahead_bytes = 1e9;  // always ahead of the demand
    return p;
  }
  void run_all() {
    while (!calendar.empty()) calendar.run_next();
  }
  void run_until(models::Picos t) {
    while (!calendar.empty() && calendar.next_time() < t) calendar.run_next();
  }
  world::Calendar calendar;
  models::CoherentCaches caches;
  models::MemoryBus fsb;
  models::AddressSpace memory;
  models::CodePathCatalog paths;
  models::CpuCostModel cost;
  CpuSet cpus;
  KernelPaths kernel;
};

}  // namespace iscsim::host::kernel
