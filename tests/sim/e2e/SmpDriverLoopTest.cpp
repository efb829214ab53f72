// The SMP host's NIC driver as e1000 5.x runs its interrupt: one read of ICR, then passes of its
// clean loop while a pass finds work, up to E1000_MAX_INTR. Properties only.
#include <gtest/gtest.h>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

double host_count(const nlohmann::json& r, const char* key) { return r["host"][key].get<double>(); }

TEST(SmpHost, AnInterruptCleansAgainWhatLandsWhileItsDriverCleansUpToTheLoopsMaximum) {
  // At the wire, frames land every 12 us per NIC while a pass over ten of them takes longer: some
  // interrupts take a second pass, none more than E1000_MAX_INTR; one ICR read each.
  const nlohmann::json r = run_smp("paper/smp-read-64k.json", "", "clean-loop");
  const double interrupts = host_count(r, "interrupts");
  const double passes = host_count(r, "nic_clean_passes");
  ASSERT_GT(interrupts, 0);
  EXPECT_GT(passes, interrupts);
  EXPECT_LE(passes, 10 * interrupts);
  const auto& cpu0 = r["cpus"][0]["paths_in_window"];
  EXPECT_LE(cpu0["e1000_intr"]["calls"].get<double>(), cpu0["irq_entry"]["calls"].get<double>());

  // With the loop's maximum at one pass (as e1000 builds for PowerPC have it), every interrupt
  // makes exactly one.
  const std::string one = patched_params("one-pass-objects", "kernel", "linux-2.4-objects", {{"e1000_max_intr_passes", 1}});
  const nlohmann::json single = run_smp("paper/smp-read-64k.json", " --set host.kernel_objects=" + one, "one-pass");
  EXPECT_EQ(host_count(single, "nic_clean_passes"), host_count(single, "interrupts"));
}

}  // namespace
}  // namespace iscsim::testing
