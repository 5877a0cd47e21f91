// `idemctl report merge --report html=FILE`: the merged run rendered by the stress HTML writer,
// its per-second status classes the sums of the segments'.
#include <unistd.h>

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
         "/idemctl-" + std::to_string(::getpid()) + "-merge-html-" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::map<std::string, uint64_t> class_totals(const json& doc) {
  std::map<std::string, uint64_t> totals;
  for (const auto& second : doc["seconds"]) {
    for (const auto& [name, n] : second["status_classes"].items()) totals[name] += n.get<uint64_t>();
  }
  return totals;
}

}  // namespace

TEST_CASE("report merge: --report html renders the merged run with the segments' classes summed",
          "[cli][merge][html]") {
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const std::string target = "http://127.0.0.1:" + std::to_string(port);
  const std::string a = temp_path("a.json"), b = temp_path("b.json");
  const std::string html = temp_path("merged.html"), merged = temp_path("merged.json");
  for (const auto& [segment, file] : {std::pair{"0/2", a}, std::pair{"1/2", b}}) {
    const auto r = run_process({IDEMCTL_BINARY, "stress", "-q", "--target", target, "--segment",
                                segment, "-n", "400", "-c", "4", "--dups", "2", "--mix",
                                "missing-key=10%", "--report", "json=" + file});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }
  const auto m = run_process({IDEMCTL_BINARY, "report", "merge", a, b, "--report", "html=" + html,
                              "--report", "json=" + merged});
  INFO(m.out << m.err);
  REQUIRE(m.exit_code == 0);
  const std::string page = slurp(html);
  const json doc = json::parse(slurp(merged));
  const auto ta = class_totals(json::parse(slurp(a)));
  const auto tb = class_totals(json::parse(slurp(b)));
  for (const auto& f : {a, b, html, merged}) std::remove(f.c_str());

  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK_THAT(page, Catch::Contains("<div class=\"verdict pass\">PASS"));
  CHECK_THAT(page, Catch::Contains("(report merge)"));
  CHECK(std::count(page.begin(), page.end(), '\n') > 50);
  const auto merged_totals = class_totals(doc);
  CHECK(merged_totals.at("2xx") == ta.at("2xx") + tb.at("2xx"));
  CHECK(merged_totals.at("4xx") == ta.at("4xx") + tb.at("4xx"));
  CHECK(merged_totals.at("4xx") > 0);
  CHECK(merged_totals.at("2xx") + merged_totals.at("4xx") == doc["answered"].get<uint64_t>());
}

TEST_CASE("report merge: an unknown --report kind or an unwritable html path exits 2",
          "[cli][merge][html]") {
  const auto bad = run_process({IDEMCTL_BINARY, "report", "merge", "x.json", "--report", "pdf=x"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--report: invalid 'pdf=x'"));
  const auto unwritable = run_process(
      {IDEMCTL_BINARY, "report", "merge", "x.json", "--report", "html=/nonexistent-dir/m.html"});
  CHECK(unwritable.exit_code == 2);
  CHECK_THAT(unwritable.err, Catch::Contains("/nonexistent-dir/m.html"));
}
