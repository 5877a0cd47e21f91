// The SVG chart primitives: escaping of hostile text, axis ticks and unit labels, and what the
// area charts draw (stacked vs overlaid, no data, bad values).
#include "idem/report/svg_chart.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>

using namespace idem::svg;

namespace {

std::string chart(const AreaChart& c) {
  std::ostringstream out;
  write_area_chart(c, out);
  return out.str();
}

size_t count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("svg::escape: markup metacharacters become entities", "[report][html]") {
  CHECK(escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  const std::string hostile = "</script><img src=x onerror=alert(1)>";
  const std::string escaped = escape(hostile);
  CHECK(escaped == "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
  CHECK(escaped.find('<') == std::string::npos);
  CHECK(escape("&amp;") == "&amp;amp;");  // already escaped text is escaped again: shown as sent
}

TEST_CASE("svg::escape: valid UTF-8 stays, broken bytes and control characters become U+FFFD",
          "[report][html]") {
  CHECK(escape("caf\xC3\xA9 \xC2\xB5s \xF0\x9F\x98\x80") == "caf\xC3\xA9 \xC2\xB5s \xF0\x9F\x98\x80");
  CHECK(escape("a\tb\nc\r") == "a\tb\nc\r");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(escape(std::string("x\0y", 3)) == "x" + fffd + "y");
  CHECK(escape("\x1b[31m") == fffd + "[31m");
  CHECK(escape("\xFF") == fffd);
  CHECK(escape("\xC3") == fffd);              // truncated sequence at the end
  CHECK(escape("\xC0\xAF") == fffd + fffd);   // overlong '/'
  CHECK(escape("\xED\xA0\x80") == fffd + fffd + fffd);  // UTF-16 surrogate
  CHECK(escape("\xF4\x90\x80\x80").find("\xF4") == std::string::npos);  // above U+10FFFF
}

TEST_CASE("svg::format_value: latencies in µs, ms, s and min; counts in k, M, G",
          "[report][html]") {
  CHECK(format_value(0, Unit::Microseconds) == "0");
  CHECK(format_value(250, Unit::Microseconds) == "250\xC2\xB5s");
  CHECK(format_value(1500, Unit::Microseconds) == "1.5ms");
  CHECK(format_value(45'000, Unit::Microseconds) == "45ms");
  CHECK(format_value(2'000'000, Unit::Microseconds) == "2s");
  CHECK(format_value(3.6e9, Unit::Microseconds) == "60min");
  CHECK(format_value(950, Unit::Count) == "950");
  CHECK(format_value(1500, Unit::Count) == "1.5k");
  CHECK(format_value(2e6, Unit::Count) == "2M");
  CHECK(format_value(1e15, Unit::Count) == "1000000G");
  CHECK(format_value(std::nan(""), Unit::Count) == "?");
}

TEST_CASE("svg::nice_ticks: from 0 past the maximum in 1-2-5 steps", "[report][html]") {
  CHECK(nice_ticks(100) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(nice_ticks(1234) == std::vector<double>{0, 500, 1000, 1500});
  CHECK(nice_ticks(12, 10) == std::vector<double>{0, 2, 4, 6, 8, 10, 12});
  CHECK(nice_ticks(0) == nice_ticks(1));
  CHECK(nice_ticks(-5) == nice_ticks(1));
  CHECK(nice_ticks(std::numeric_limits<double>::infinity()) == nice_ticks(1));
  CHECK(nice_ticks(std::nan("")) == nice_ticks(1));
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> exponent(-3, 19);
  for (int i = 0; i < 2000; ++i) {
    const double max = std::pow(10.0, exponent(rng));
    const auto ticks = nice_ticks(max, 5);
    INFO("max " << max);
    REQUIRE(ticks.size() >= 2);
    CHECK(ticks.size() <= 11);
    CHECK(ticks.front() == 0);
    const double step = ticks[1] - ticks[0];
    CHECK(ticks.back() >= max * (1 - 1e-9));
    CHECK(ticks.back() < max + step * (1 + 1e-9));
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    CHECK((std::fabs(mantissa - 1) < 1e-6 || std::fabs(mantissa - 2) < 1e-6 ||
           std::fabs(mantissa - 5) < 1e-6));
  }
}

TEST_CASE("svg area chart: a stack's axis reaches the sum, an overlay's the largest series",
          "[report][html]") {
  AreaChart c;
  c.series = {{"a", "#111111", {10, 10}}, {"b", "#222222", {10, 10}}};
  c.layering = Layering::Stack;
  const std::string stacked = chart(c);
  c.layering = Layering::Overlay;
  const std::string overlaid = chart(c);
  CHECK(count(stacked, ">20</text>") == 1);
  CHECK(count(overlaid, ">20</text>") == 0);
  CHECK(count(overlaid, ">10</text>") == 1);
  // One filled area and one top line per series, in the series' colour.
  CHECK(count(stacked, "fill=\"#222222\"") == 2);  // the area and the legend swatch
  CHECK(count(stacked, "stroke=\"#222222\"") == 1);
  // A series of zeros draws no line on top of the others, only its legend swatch.
  c.series.push_back({"zero", "#333333", {0, 0}});
  const std::string with_zero = chart(c);
  CHECK(count(with_zero, "#333333") == 1);
}

TEST_CASE("svg area chart: no data, one second and bad values still draw a whole chart",
          "[report][html]") {
  AreaChart c;
  c.title = "t";
  const std::string empty = chart(c);
  CHECK_THAT(empty, Catch::Contains("no data"));
  CHECK(count(empty, "<svg") == 1);
  CHECK(count(empty, "</svg>") == 1);
  c.series = {{"one", "#333333", {7}}};
  const std::string one = chart(c);
  CHECK(count(one, "<path") == 2);
  c.series = {{"bad", "#333333", {std::nan(""), -5, std::numeric_limits<double>::infinity(), 1e300}}};
  const std::string bad = chart(c);
  CHECK(bad.find("nan") == std::string::npos);
  CHECK(bad.find("inf") == std::string::npos);
  CHECK(count(bad, "<path") == 2);
}

TEST_CASE("svg area chart: titles and names are escaped and nothing refers outside the chart",
          "[report][html]") {
  AreaChart c;
  c.title = "<script>alert(1)</script>";
  c.series = {{"\"><img src=x>", "red\" onload=\"x", {1, 2}}};
  const std::string s = chart(c);
  CHECK(s.find("<script") == std::string::npos);
  CHECK(s.find("<img") == std::string::npos);
  CHECK(s.find("\" onload") == std::string::npos);
  CHECK(s.find("xmlns") == std::string::npos);
  CHECK(s.find("//") == std::string::npos);
  CHECK(s.find("href") == std::string::npos);
}
