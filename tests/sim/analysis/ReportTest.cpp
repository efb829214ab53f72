// `iscsim report` on short real runs (SMP and AMP 64 KB reads and their compare, a frequency x
// architecture sweep, a PPE split sweep), opened from disk in headless Chromium: it renders,
// every figure loads, nothing comes from the network and the screenshot is not blank. Skipped
// where /usr/bin/python3 lacks matplotlib or pandas, or Chromium cannot run.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include <unistd.h>

#include "tests/sim/e2e/RunIscsim.hpp"

namespace iscsim::testing {
namespace {

namespace fs = std::filesystem;

const std::string kQuickSet = R"("run.duration_s": 0.05, "run.warmup_s": 0.02, "workload.readback": false)";
// Bounds every browser start: a hung Chromium fails the test instead of stalling ctest.
constexpr const char* kBrowserTimeout = "timeout 60 ";
// The figures the page holds for these inputs: Fig 3, the 64 KB read hotspots, Fig 4, the split.
constexpr int kFigures = 4;

// Counts, once the page has loaded, its images, the broken ones (not decoded: naturalWidth 0)
// and the resources fetched from anywhere but data: URIs, into attributes of <body>.
constexpr const char* kImageCheck = R"(<script>
window.addEventListener("load", function () {
  var images = document.images, broken = 0, external = 0;
  for (var i = 0; i < images.length; i++) if (!images[i].complete || images[i].naturalWidth === 0) broken++;
  performance.getEntriesByType("resource").forEach(function (r) { if (r.name.indexOf("data:") !== 0) external++; });
  document.body.setAttribute("data-images", images.length);
  document.body.setAttribute("data-broken", broken);
  document.body.setAttribute("data-external", external);
});
</script></body>)";

// Headless Chromium with a profile of its own and a proxy that refuses every connection.
std::string chromium(const fs::path& profile) {
  return std::string(kBrowserTimeout) + "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars " +
         "--no-first-run --proxy-server=127.0.0.1:9 --user-data-dir=" + profile.string() + " ";
}

// Why Chromium cannot run here, or "" when it can.
std::string chromium_unavailable(const fs::path& scratch) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0)
    return "no chromium on PATH (scripts/install-deps.sh installs Debian's)";
  const std::string dom = shell(chromium(scratch / "profile") + "--dump-dom about:blank 2>/dev/null");
  return dom.find("<html") == std::string::npos ? "chromium --headless did not render about:blank" : "";
}

int body_attribute(const std::string& dom, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(dom, m, std::regex(name + "=\"(\\d+)\""))) return -1;
  return std::stoi(m[1]);
}

class ReportPage : public ::testing::Test {
 protected:
  // Per process: ctest runs each test in a process of its own, several at once.
  static fs::path root() {
    return fs::path(::testing::TempDir()) / "iscsim-tests" / ("ReportPage.runs-" + std::to_string(::getpid()));
  }
  static fs::path repro() { return root() / "repro"; }
  static void TearDownTestSuite() { fs::remove_all(root()); }

  static void SetUpTestSuite() {
    if (!have_python_libraries()) return;
    fs::remove_all(root());
    for (const char* name : {"smp-read-64k", "amp-read-64k"}) {
      const Invocation r = run_iscsim("run " + scenario_path(std::string("paper/") + name + ".json") + kQuickRun + " -o " +
                                          (repro() / name).string(),
                                      root() / (std::string("log-") + name));
      ASSERT_EQ(r.exit_code, 0) << name << ": " << r.stderr_text;
    }
    const Invocation c = run_iscsim("compare " + (repro() / "smp-read-64k").string() + " " +
                                        (repro() / "amp-read-64k").string() + " -o " + (repro() / "compare").string(),
                                    root() / "log-compare");
    ASSERT_EQ(c.exit_code, 0) << c.stderr_text;
    write_text(root() / "frequency.json", R"({"scenario": ")" + scenario_path("paper/smp-read-64k.json") +
                                         R"(", "set": {)" + kQuickSet +
                                         R"(}, "grid": {"host.architecture": ["smp", "amp"], )"
                                         R"("host.cpu.frequency_ghz": [1.6, 3.2]}})");
    write_text(root() / "split.json", R"({"scenario": ")" + scenario_path("paper/amp-read-64k.json") + R"(", "set": {)" +
                                     kQuickSet + R"(, "host.cores": 3}, "grid": {"host.ppes": [1, 2]}})");
    for (const char* sweep : {"frequency", "split"}) {
      const Invocation s = run_iscsim("sweep " + (root() / (std::string(sweep) + ".json")).string() + " -j 2 -o " +
                                          (repro() / sweep).string(),
                                      root() / (std::string("log-") + sweep));
      ASSERT_EQ(s.exit_code, 0) << sweep << ": " << s.stderr_text;
    }
  }

  void SetUp() override {
    if (!have_python_libraries()) GTEST_SKIP() << kDebianPython << " lacks matplotlib or pandas (scripts/install-deps.sh)";
  }
};

TEST_F(ReportPage, OpensFromDiskInChromiumWithEveryFigureLoaded) {
  const auto dir = scratch_dir("browser");
  fs::create_directories(dir);
  const std::string why = chromium_unavailable(dir);
  if (!why.empty()) GTEST_SKIP() << why;

  const Invocation r = run_iscsim("report " + repro().string() + " -o " + (dir / "report.html").string(), dir);
  ASSERT_EQ(r.exit_code, 0) << r.stderr_text;
  const std::string page = read_text(dir / "report.html");
  for (const char* section : {"Table 1", "Table 2", "Fig 3", "Fig 4", "Fig 5", "Chip multiprocessors",
                              "Calibration residuals", "cleared cycles per 1,000 cycles", "non-idle rows by cause", "Scenarios and versions",
                              "smp-read-64k", "amp-read-64k"})
    EXPECT_NE(page.find(section), std::string::npos) << section;
  EXPECT_FALSE(std::regex_search(page, std::regex(R"((src|href)="(https?:)?//)"))) << "a resource off the page";

  // The page with the image check before </body>, as Chromium sees it once loaded.
  const std::size_t end = page.rfind("</body>");
  ASSERT_NE(end, std::string::npos);
  write_text(dir / "check.html", page.substr(0, end) + kImageCheck + page.substr(end + std::string("</body>").size()));
  const std::string dom = shell(chromium(dir / "profile") + "--dump-dom file://" + (dir / "check.html").string() +
                                " 2>/dev/null");
  EXPECT_EQ(body_attribute(dom, "data-images"), kFigures) << dom.substr(0, 300);
  EXPECT_EQ(body_attribute(dom, "data-broken"), 0);
  EXPECT_EQ(body_attribute(dom, "data-external"), 0);

  const fs::path shot = dir / "screenshot.png";
  shell(chromium(dir / "profile") + "--window-size=1280,2400 --screenshot=" + shot.string() + " file://" +
        (dir / "report.html").string() + " >/dev/null 2>&1");
  ASSERT_TRUE(fs::exists(shot)) << "no screenshot";
  const std::string colours =
      shell(std::string(kDebianPython) + " -c 'import sys, numpy, matplotlib.image as m; a = m.imread(sys.argv[1]); "
                                   "print(len(numpy.unique(a.reshape(-1, a.shape[2]), axis=0)))' " +
            shot.string());
  ASSERT_FALSE(colours.empty());
  EXPECT_GT(std::stoi(colours), 1) << "the screenshot is blank";
}

TEST(ReportInput, BadInputExits2NamingItAndWritesNothing) {
  if (!have_python_libraries()) GTEST_SKIP() << kDebianPython << " lacks matplotlib or pandas (scripts/install-deps.sh)";
  const auto dir = scratch_dir("bad");
  Invocation r = run_iscsim("report " + (dir / "nowhere").string(), dir / "log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nowhere"), std::string::npos) << r.stderr_text;

  fs::create_directories(dir / "empty");
  r = run_iscsim("report " + (dir / "empty").string(), dir / "log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("nothing to report"), std::string::npos) << r.stderr_text;

  write_text(dir / "broken" / "run" / "results.json", "{ not json");
  r = run_iscsim("report " + (dir / "broken").string(), dir / "log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find((dir / "broken" / "run" / "results.json").string()), std::string::npos)
      << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("iscsim report: "), std::string::npos) << r.stderr_text;

  r = run_iscsim("report " + (dir / "broken").string() + " -o " + (dir / "empty").string(), dir / "log");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.stderr_text.find("-o"), std::string::npos) << r.stderr_text;
  for (const char* d : {"empty", "broken"})
    for (const auto& entry : fs::recursive_directory_iterator(dir / d))
      EXPECT_EQ(entry.path().filename().string().find("report"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace iscsim::testing
