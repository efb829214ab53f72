#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "sim/scenario/Loader.hpp"
#include "sim/scenario/Schema.hpp"

namespace iscsim::scenario {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string write_temp(const std::string& name, const json& doc) {
  const fs::path dir = fs::path(::testing::TempDir()) / "iscsim-loader-test";
  fs::create_directories(dir);
  const fs::path p = dir / name;
  std::ofstream(p) << doc.dump();
  return p.string();
}

TEST(Loader, FillsThePapersHardwareAsDefaults) {
  const Scenario s = load_scenario_json(json::object(), "mem.json");
  EXPECT_EQ(s.name, "mem");
  EXPECT_EQ(s.host.cores, 2);
  EXPECT_DOUBLE_EQ(s.host.cpu.frequency_ghz, 2.4);
  EXPECT_EQ(s.nics.count, 2);
  EXPECT_DOUBLE_EQ(s.nics.link_gbps, 1.0);
  EXPECT_EQ(s.tcp.target_socket_buffer_bytes, 131072);
  EXPECT_EQ(s.pci.model, "pci-x-133");
  EXPECT_EQ(s.resolved.at("nics").at("mtu_bytes"), 1500);
  EXPECT_FALSE(s.resolved.contains("extends"));
}

TEST(Loader, ExtendsMergesTheChildOverTheBase) {
  write_temp("base.json", {{"name", "base"}, {"nics", {{"count", 1}, {"mtu_bytes", 9000}}}});
  const std::string child =
      write_temp("child.json", {{"extends", "base.json"}, {"name", "child"}, {"nics", {{"count", 4}}}});
  const Scenario s = load_scenario(child);
  EXPECT_EQ(s.name, "child");
  EXPECT_EQ(s.nics.count, 4);
  EXPECT_EQ(s.nics.mtu_bytes, 9000);
}

TEST(Loader, ExtendsCycleIsReported) {
  write_temp("a.json", {{"extends", "b.json"}});
  const std::string b = write_temp("b.json", {{"extends", "a.json"}});
  EXPECT_NE(message_of([&] { load_scenario(b); }).find("extends cycle"), std::string::npos);
}

TEST(Loader, OverridesTakeJsonOrBareWords) {
  const Scenario s = load_scenario_json(
      json::object(), "mem.json",
      {"host.cpu.frequency_ghz=3.2", "tcp.timestamps=false", "host.architecture=smp", "name=\"x y\"", "run.seed=7"});
  EXPECT_DOUBLE_EQ(s.host.cpu.frequency_ghz, 3.2);
  EXPECT_FALSE(s.tcp.timestamps);
  EXPECT_EQ(s.host.architecture, Architecture::Smp);
  EXPECT_EQ(s.name, "x y");
  EXPECT_EQ(s.run.seed, 7u);
}

TEST(Loader, UnknownKeyNamesThePathTheAllowedKeysAndAGuess) {
  const std::string m = message_of([] { load_scenario_json({{"nics", {{"cuont", 2}}}}, "f.json"); });
  EXPECT_NE(m.find("f.json: nics.cuont: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("link_gbps"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean \"count\""), std::string::npos) << m;
}

TEST(Loader, UnknownOverrideIsBlamedOnTheOverride) {
  const std::string m = message_of([] { load_scenario_json(json::object(), "f.json", {"link.los_rate=0.1"}); });
  EXPECT_NE(m.find("--set link.los_rate=0.1: link.los_rate: unknown key"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean \"loss_rate\""), std::string::npos) << m;
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.cpu.freq=3"}); })
                .find("did you mean \"frequency_ghz\""),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"novalue"}); }).find("PATH=VALUE"),
            std::string::npos);
}

TEST(Loader, WrongTypeNamesTheExpectedType) {
  const std::string m = message_of([] { load_scenario_json({{"nics", {{"count", "two"}}}}, "f.json"); });
  EXPECT_NE(m.find("nics.count: expected an integer, found string \"two\""), std::string::npos) << m;
  EXPECT_NE(message_of([] { load_scenario_json({{"host", 3}}, "f.json"); }).find("host: expected an object"),
            std::string::npos);
  EXPECT_EQ(load_scenario_json({{"nics", {{"count", 3.0}}}}, "f.json").nics.count, 3);  // integral float is fine
}

TEST(Loader, OutOfRangeAndEnumErrorsSayWhatIsAllowed) {
  EXPECT_NE(message_of([] { load_scenario_json({{"link", {{"loss_rate", 1.5}}}}, "f.json"); })
                .find("link.loss_rate: must be at most 1"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json({{"nics", {{"rx_ring", 100}}}}, "f.json"); })
                .find("multiple of 8"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.architecture=numa"}); })
                .find("expected one of ideal, smp, amp"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.cpu.frequency_ghz=0"}); })
                .find("greater than 0"),
            std::string::npos);
}

TEST(Loader, IntegerEdgesAreRejectedCleanly) {
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"run.seed=9223372036854775808"}); })
                .find("run.seed: must be at most 9223372036854775807"),
            std::string::npos);
  EXPECT_EQ(load_scenario_json(json::object(), "f.json", {"run.seed=9223372036854775807"}).run.seed,
            9223372036854775807ULL);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"nics.count=1e30"}); })
                .find("nics.count: expected an integer"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"nics.count=2.5"}); })
                .find("expected an integer, found number 2.5"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json({{"tcp", {{"target_socket_buffer_bytes", 1}}}}, "f.json"); })
                .find("at least 4096"),
            std::string::npos);
}

TEST(Loader, AmpNeedsHostCoresBesideThePpes) {
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.architecture=amp", "host.ppes=2"}); })
                .find("host.ppes: must be less than host.cores"),
            std::string::npos);
}

TEST(Loader, PpesAndBulkBelongToTheirArchitectures) {
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.architecture=smp", "host.ppes=1"}); })
                .find("host.ppes: only an AMP host"),
            std::string::npos);
  EXPECT_NE(message_of([] { load_scenario_json(json::object(), "f.json", {"host.architecture=amp", "workload.type=bulk"}); })
                .find("workload.type: \"bulk\" runs on the ideal host only"),
            std::string::npos);
}

TEST(Loader, MissingFileAndBadJsonAreNamed) {
  EXPECT_NE(message_of([] { load_scenario("/nonexistent/x.json"); }).find("/nonexistent/x.json: cannot read"),
            std::string::npos);
  const fs::path p = fs::path(::testing::TempDir()) / "broken.json";
  std::ofstream(p) << "{ \"nics\": ";
  EXPECT_NE(message_of([&] { load_scenario(p.string()); }).find("invalid JSON"), std::string::npos);
}

TEST(Loader, ShippedTcpBulkScenarioLoads) {
  const Scenario s = load_scenario(ISCSIM_SOURCE_DIR "/scenarios/tcp-bulk.json");
  EXPECT_EQ(s.name, "tcp-bulk");
  EXPECT_EQ(s.workload.type, WorkloadType::Bulk);
  EXPECT_EQ(s.host.architecture, Architecture::Ideal);
}

}  // namespace
}  // namespace iscsim::scenario
