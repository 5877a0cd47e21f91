// The HTML report: its two charts against golden files for a fixed synthetic run, escaping of
// what the target sent, the verdict headline, no external reference, and the edge cases that
// must still render. Set IDEM_UPDATE_GOLDEN=1 to rewrite the golden files.
#include "idem/stress/stress_html.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "stress/sample_stress_report.hpp"

using namespace idem;

namespace {

std::string page(const StressReport& r) {
  std::ostringstream out;
  write_stress_html(r, out);
  return out.str();
}

std::string svg_of(const svg::AreaChart& c) {
  std::ostringstream out;
  svg::write_area_chart(c, out);
  return out.str();
}

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

void check_golden(const std::string& name, const std::string& got) {
  const std::string path = std::string(IDEM_SOURCE_DIR) + "/tests/golden/" + name;
  if (std::getenv("IDEM_UPDATE_GOLDEN") != nullptr) std::ofstream(path, std::ios::binary) << got;
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path << " (IDEM_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE(in.good());
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(got == expected.str());
}

// What every rendering must be, whatever the run: a whole page with both charts and no way for
// a browser to fetch anything.
void check_well_formed(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.size() > 1000);
  CHECK(html.substr(html.size() - 8) == "</html>\n");
  CHECK(count(html, "<svg") == 2);
  CHECK(count(html, "</svg>") == 2);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  // Text may quote "src=" (escaped, it is no tag); a tag may not carry a reference.
  CHECK_FALSE(std::regex_search(html, std::regex(R"(<[a-zA-Z][^>]*\s(src|href|xlink:href)\s*=)")));
  const size_t style = html.find("<style>");
  REQUIRE(style != std::string::npos);
  const std::string css = html.substr(style, html.find("</style>") - style);
  CHECK(css.find("url(") == std::string::npos);
  CHECK(css.find("@import") == std::string::npos);
  CHECK(css.find("//") == std::string::npos);
  CHECK(html.find("xmlns") == std::string::npos);
  CHECK_FALSE(std::regex_search(html, std::regex(R"(\b(nan|inf)\b)")));
}

}  // namespace

TEST_CASE("stress HTML: the latency chart of the synthetic run matches its golden file",
          "[stress][html]") {
  check_golden("stress_latency.svg", svg_of(stress_latency_chart(test::sample_stress_report())));
}

TEST_CASE("stress HTML: the throughput chart of the synthetic run matches its golden file",
          "[stress][html]") {
  check_golden("stress_throughput.svg",
               svg_of(stress_throughput_chart(test::sample_stress_report())));
}

TEST_CASE("stress HTML: the charts carry each second's percentiles and status classes",
          "[stress][html]") {
  const StressReport r = test::sample_stress_report();
  const svg::AreaChart latency = stress_latency_chart(r);
  REQUIRE(latency.series.size() == 4);
  CHECK(latency.series[0].name == "max");
  CHECK(latency.series[3].name == "p50");
  CHECK(latency.series[1].values.at(7) == 45'000);  // the spike's p99
  const svg::AreaChart throughput = stress_throughput_chart(r);
  CHECK(throughput.layering == svg::Layering::Stack);
  for (size_t s = 0; s < r.seconds.size(); ++s) {
    double stacked = 0;
    for (const auto& series : throughput.series) stacked += series.values.at(s);
    CHECK(stacked == static_cast<double>(r.seconds[s].answered + r.seconds[s].errors));
  }
}

TEST_CASE("stress HTML: a hostile body, header and key in a violation example are escaped",
          "[stress][html]") {
  const std::string html = page(test::sample_stress_report());
  check_well_formed(html);
  CHECK(html.find(test::kHostileBody) == std::string::npos);
  CHECK(html.find("onerror=alert(1)>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"));
  CHECK_THAT(html, Catch::Contains("X-Evil: &quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
  CHECK_THAT(html, Catch::Contains("key-&lt;b&gt;7&lt;/b&gt;"));
  CHECK(html.find("<b>7</b>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("busy &lt;all 32&gt;"));
}

TEST_CASE("stress HTML: the page shows the verdict, thresholds, invariants and the repro",
          "[stress][html]") {
  const std::string html = page(test::sample_stress_report());
  CHECK_THAT(html, Catch::Contains("<div class=\"verdict fail\">FAIL"));
  CHECK_THAT(html, Catch::Contains("2 invariant violations, 1 threshold breached"));
  CHECK_THAT(html, Catch::Contains("errors&lt;0.1%</td><td>errors = 0.95%"));
  CHECK_THAT(html, Catch::Contains("NOT CHECKED</td><td>key-required"));
  CHECK_THAT(html, Catch::Contains("no request without a key was sent"));
  CHECK_THAT(html, Catch::Contains("<pre>curl -X POST"));
  CHECK_THAT(html, Catch::Contains("@page{size:A4"));
  CHECK_THAT(html, Catch::Contains("@media print"));
  for (const char* kind : {">first<", ">duplicate<", ">failure<"}) {
    CHECK_THAT(html, Catch::Contains(kind));
  }
  CHECK_THAT(html, Catch::Contains("<td>failure</td><td class=\"n\">1</td>"));
}

TEST_CASE("stress HTML: a passing run says PASS and an interrupted one says so first",
          "[stress][html]") {
  StressReport r = test::sample_stress_report();
  r.violations = {};
  r.thresholds.pop_back();
  CHECK_THAT(page(r), Catch::Contains("<div class=\"verdict pass\">PASS"));
  CHECK_THAT(page(r), Catch::Contains("no invariant violated, every threshold held"));
  r.interrupted = true;
  CHECK_THAT(page(r), Catch::Contains("<div class=\"verdict interrupted\">INTERRUPTED"));
}

TEST_CASE("stress HTML: edge cases render whole pages", "[stress][html]") {
  SECTION("nothing at all: no second, no answer") {
    const std::string html = page(StressReport{});
    check_well_formed(html);
    CHECK(count(html, "no data") == 2);
    CHECK_THAT(html, Catch::Contains("No answer"));
  }
  SECTION("one second") {
    StressReport r = test::sample_stress_report();
    r.seconds.resize(1);
    check_well_formed(page(r));
  }
  SECTION("zero answers: every request a transport error") {
    StressReport r;
    r.sent = 300;
    r.transport_errors[1] = 300;
    for (int s = 0; s < 3; ++s) {
      SecondSample x;
      x.sent = x.errors = 100;
      x.status_classes[static_cast<size_t>(StatusClass::TransportError)] = 100;
      r.seconds.push_back(x);
    }
    const std::string html = page(r);
    check_well_formed(html);
    CHECK_THAT(html, Catch::Contains("#7c3aed"));
  }
  SECTION("every request failing with 5xx") {
    StressReport r = test::sample_stress_report();
    for (auto& x : r.seconds) {
      x.status_classes = {};
      x.status_classes[static_cast<size_t>(StatusClass::ServerError)] = x.answered;
    }
    r.violations[static_cast<size_t>(Invariant::NoUnexpected5xx)].count = r.answered;
    check_well_formed(page(r));
  }
  SECTION("huge values") {
    StressReport r = test::sample_stress_report();
    for (auto& x : r.seconds) {
      x.latency_max_us = x.latency_p99_us = Histogram::kHighest;
      x.status_classes.fill(UINT64_MAX / 8);
    }
    r.latency.record(INT64_MAX);
    r.elapsed_seconds = 1e12;
    check_well_formed(page(r));
  }
  SECTION("an interrupted run with a second still empty") {
    StressReport r = test::sample_stress_report();
    r.interrupted = true;
    r.seconds.push_back(SecondSample{});
    check_well_formed(page(r));
  }
}
