// What run_info says about the run itself: the engine's work (calendar events, SimGrid sync
// points), the process's peak memory and page faults; and that memory does not grow with the
// size of the LUN a read run reads from, nor with the simulated time of a run whose NICs are
// polled (no interrupt settles their buses' booking history), and that a run in steady state
// takes no page faults.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "RunIscsim.hpp"

namespace iscsim::testing {
namespace {

// AddressSanitizer keeps freed memory in quarantine and maps shadow memory: a sanitized build's
// RSS and page faults say nothing about the simulator's own memory.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif
constexpr const char* kSanitizedReason = "memory figures are not the simulator's under AddressSanitizer";

constexpr const char* kInfoRun = " --set run.duration_s=0.05 --set run.warmup_s=0.01";
// The calendar syncs SimGrid's clock with its own once per this many events, and at the end
// (sim/world/SimgridClock.cpp).
constexpr std::uint64_t kSyncEvents = 4096;

nlohmann::json run_info(const std::string& scenario, const std::string& sets, const std::string& name,
                        const std::string& window = kInfoRun) {
  const auto dir = scratch_dir(name);
  const Invocation inv = run_iscsim("run " + scenario_path(scenario) + window + sets + " -o " + (dir / "out").string(), dir);
  EXPECT_EQ(inv.exit_code, 0) << inv.stderr_text;
  return read_json(dir / "out" / "results.json")["run_info"];
}

TEST(RunInfo, SaysWhatTheEngineAndTheProcessDid) {
  const nlohmann::json info = run_info("paper/smp-read-64k.json", "", "smp");
  const auto events = info["events"].get<std::uint64_t>();
  const auto syncs = info["simgrid_activities"].get<std::uint64_t>();
  EXPECT_GT(events, kSyncEvents);
  EXPECT_GE(syncs, 1u);
  EXPECT_LE(syncs, events / kSyncEvents + 1);  // SimGrid is not paid per event
  EXPECT_GT(info["peak_rss_bytes"].get<std::int64_t>(), 0);
  EXPECT_GT(info["minor_page_faults"].get<std::int64_t>(), 0);
}

// The read workload's prepared test file is generated, not written: a LUN 16 times larger
// costs no memory to speak of.
TEST(RunInfo, PeakMemoryIsFlatInTheLunSize) {
  if (kSanitized) GTEST_SKIP() << kSanitizedReason;
  constexpr std::int64_t kAllowedGrowth = 10'000'000;  // issue 15: at most 10 MB from 64 MiB to 1 GiB
  const auto small = run_info("paper/smp-read-64k.json", " --set target.lun_bytes=67108864", "small")["peak_rss_bytes"];
  const auto large = run_info("paper/smp-read-64k.json", " --set target.lun_bytes=1073741824", "large")["peak_rss_bytes"];
  EXPECT_LT(large.get<std::int64_t>() - small.get<std::int64_t>(), kAllowedGrowth);
}

TEST(RunInfo, MemoryAndPageFaultsAreFlatInTheSimulatedTime) {
  if (kSanitized) GTEST_SKIP() << kSanitizedReason;
  constexpr std::int64_t kAllowedGrowth = 10'000'000;  // issue 15: at most 10 MB from 1 s to 10 s
  const std::string scenario = "paper/amp-read-8k.json";
  const auto brief = run_info(scenario, "", "brief", " --set run.duration_s=0.1 --set run.warmup_s=0.01");
  const auto longer = run_info(scenario, "", "longer", " --set run.duration_s=0.8 --set run.warmup_s=0.01");
  EXPECT_LT(longer["peak_rss_bytes"].get<std::int64_t>() - brief["peak_rss_bytes"].get<std::int64_t>(), kAllowedGrowth);
  // In steady state buffers come from memory the process already has: no page faults.
  constexpr std::int64_t kSteadyStateFaults = 500;  // a few hundred for what grows once (hash tables)
  EXPECT_LT(longer["minor_page_faults"].get<std::int64_t>() - brief["minor_page_faults"].get<std::int64_t>(),
            kSteadyStateFaults);
}

}  // namespace
}  // namespace iscsim::testing
