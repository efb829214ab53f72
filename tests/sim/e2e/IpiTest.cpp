// Inter-processor interrupts end to end: each one is paid for twice, by the CPU that writes the
// local APIC's ICR (send_ipi) and by the one it reaches (a local APIC interrupt's entry and exit,
// apic_entry, then ipi_handler), on both hosts. Properties only.
#include <gtest/gtest.h>

#include <string>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

double received(const nlohmann::json& cpu) { return cpu["events"]["ipis"].get<double>(); }

// Every interrupt a CPU takes is entered once: a device's through irq_entry, an IPI's and its
// local timer's through apic_entry (2.4's BUILD_SMP_INTERRUPT and BUILD_SMP_TIMER_INTERRUPT). An
// interrupt raised just before the window's start or end may be entered on its other side.
void expect_entries(const nlohmann::json& cpu, const std::string& which) {
  EXPECT_DOUBLE_EQ(path_count(cpu, "apic_entry"), received(cpu) + path_count(cpu, "local_timer")) << which;
  EXPECT_NEAR(path_count(cpu, "irq_entry") + path_count(cpu, "apic_entry"),
              received(cpu) + cpu["events"]["interrupts"].get<double>(), 1)
      << which;
}

TEST(SmpHost, EveryIpiOneCpuSendsIsPaidForThereAndTakenOnceByTheOther) {
  // On two CPUs reschedule_idle only ever sends to the other one, from inside the waker's work or,
  // for a wake-up made runnable at its work's end (an I/O completion's), right after it. An IPI
  // sent just before the window's end may land after it.
  const nlohmann::json r = run_smp("paper/smp-read-64k.json", "", "ipi-smp");
  for (int cpu = 0; cpu < 2; ++cpu) {
    const nlohmann::json& self = r["cpus"][cpu];
    const nlohmann::json& other = r["cpus"][1 - cpu];
    EXPECT_GT(path_count(self, "send_ipi"), 0) << cpu;
    EXPECT_NEAR(path_count(self, "send_ipi"), received(other), 2) << cpu;
    EXPECT_DOUBLE_EQ(path_count(other, "ipi_handler"), received(other)) << cpu;
    expect_entries(other, "CPU" + std::to_string(1 - cpu));
  }
}

TEST(AmpHost, ThePpeWakesASleepingHostThreadByAnIpiToItsCpuAndPaysForSendingIt) {
  // The engine sends one when it posts an event the host sleeps for; the host CPU's handler wakes
  // the thread. Each side enters its IPIs as its timer ticks. A host that polls its event queue
  // is sent none.
  const nlohmann::json sleep = run_amp("paper/amp-read-64k.json", "", "ipi-amp-sleep");
  const nlohmann::json& ppe = *cpu_with_role(sleep, "ppe");
  const nlohmann::json& host = *cpu_with_role(sleep, "host");
  EXPECT_GT(path_count(ppe, "send_ipi"), 0);
  EXPECT_NEAR(received(host), path_count(ppe, "send_ipi"), 0.05 * path_count(ppe, "send_ipi"));
  EXPECT_NEAR(received(ppe), path_count(host, "send_ipi"), 0.05 * path_count(host, "send_ipi"));
  expect_entries(ppe, "ppe");
  expect_entries(host, "host");
  EXPECT_DOUBLE_EQ(path_count(ppe, "ipi_handler"), received(ppe));

  const nlohmann::json poll = run_amp("paper/amp-read-64k.json", " --set amp.host_wait=poll", "ipi-amp-poll");
  EXPECT_EQ(path_count(*cpu_with_role(poll, "ppe"), "send_ipi"), 0);
}

}  // namespace
}  // namespace iscsim::testing
