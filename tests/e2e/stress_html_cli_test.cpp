// `idemctl stress --report html=FILE` on the real binary: the page is written next to the JSON
// report, its per-second status classes add up to the run's counts, and an unwritable path
// exits 2 before any load is sent.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/process.hpp"

using namespace idem::test;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  return (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : std::string("/tmp")) +
         "/idemctl-" + std::to_string(::getpid()) + "-" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("stress CLI: --report html and json together write both, and the classes add up",
          "[cli][stress][html]") {
  const std::string html = temp_path("report.html");
  const std::string js = temp_path("report-classes.json");
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--keys", "300", "--dups", "2",
                              "-t", "2", "-c", "4", "--mix", "missing-key=10%", "--report",
                              "html=" + html, "--report", "json=" + js});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string page = slurp(html);
  const json doc = json::parse(slurp(js));
  std::remove(html.c_str());
  std::remove(js.c_str());
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(page, Catch::Contains("<div class=\"verdict pass\">PASS"));
  CHECK_THAT(page, Catch::Contains(doc["config"]["targets"][0].get<std::string>()));
  CHECK(std::count(page.begin(), page.end(), '\n') > 50);

  std::map<std::string, uint64_t> classes;
  for (const auto& second : doc["seconds"]) {
    for (const auto& [name, n] : second["status_classes"].items()) classes[name] += n.get<uint64_t>();
  }
  uint64_t twoxx = 0;
  uint64_t fourxx = 0;
  for (const auto& [status, n] : doc["statuses"].items()) {
    if (status[0] == '2') twoxx += n.get<uint64_t>();
    if (status[0] == '4') fourxx += n.get<uint64_t>();
  }
  uint64_t transport = 0;
  for (const auto& [name, n] : doc["transport_errors"].items()) transport += n.get<uint64_t>();
  CHECK(classes["2xx"] == twoxx);
  CHECK(classes["4xx"] == fourxx);
  CHECK(fourxx > 0);  // the missing-key sends are refused
  CHECK(classes["transport"] == transport);
  CHECK(classes["2xx"] + classes["3xx"] + classes["4xx"] + classes["5xx"] + classes["other"] ==
        doc["answered"].get<uint64_t>());
}

TEST_CASE("stress CLI: an unwritable --report html path exits 2 before the run", "[cli][stress][html]") {
  // A 30 s run that got as far as the load would outlive the 20 s bound below.
  const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "-d", "30s", "--report",
                              "json=" + temp_path("fine.json"), "--report",
                              "html=/nonexistent-dir/report.html"},
                             std::chrono::seconds(20));
  CHECK(r.exit_code == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_THAT(r.err, Catch::Contains("--report"));
  CHECK_THAT(r.err, Catch::Contains("/nonexistent-dir/report.html"));
  CHECK(r.out.find("RESULT") == std::string::npos);
  std::remove(temp_path("fine.json").c_str());
}

TEST_CASE("stress CLI: --report html= with no file or an unknown kind exits 2", "[cli][stress][html]") {
  for (const std::string spec : {"html=", "pdf=x.pdf", "html"}) {
    const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "-n", "1", "--report", spec});
    INFO(spec << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--report: invalid '" + spec + "'"));
  }
}
