// Golden ("approval") tests of the three report writers. Durations and versions are replaced by
// placeholders before comparing. Set IDEM_UPDATE_GOLDEN=1 to rewrite the golden files.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "idem/report/report.hpp"
#include "report/sample_report.hpp"

using namespace idem;

namespace {

std::string golden_path(const std::string& name) {
  return std::string(IDEM_SOURCE_DIR) + "/tests/golden/" + name;
}

std::string normalised(std::string s) {
  const std::pair<std::regex, std::string> rules[] = {
      {std::regex(R"(in [0-9]+\.[0-9]s\n)"), "in X.Xs\n"},
      {std::regex(R"(idemctl \S+ verify)"), "idemctl VERSION verify"},
      {std::regex(R"("duration_ms": [0-9]+)"), "\"duration_ms\": 0"},
      {std::regex(R"("version": "[^"]*")"), "\"version\": \"VERSION\""},
      {std::regex(R"("revision": "[^"]*")"), "\"revision\": \"REVISION\""},
      {std::regex(R"(time="[0-9.]+")"), "time=\"X\""},
      {std::regex(R"(name="tool_version" value="[^"]*")"),
       "name=\"tool_version\" value=\"VERSION\""},
  };
  for (const auto& [pattern, replacement] : rules) s = std::regex_replace(s, pattern, replacement);
  return s;
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = golden_path(name);
  const std::string got = normalised(actual);
  if (std::getenv("IDEM_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << got;
  }
  std::ifstream in(path, std::ios::binary);
  INFO("golden file " << path << " (IDEM_UPDATE_GOLDEN=1 rewrites it)");
  REQUIRE(in.good());
  std::stringstream expected;
  expected << in.rdbuf();
  CHECK(got == expected.str());
}

}  // namespace

TEST_CASE("Report writers: the text report matches its golden file", "[report]") {
  std::ostringstream out;
  write_text_report(test::sample_report(), out, false);
  check_golden("report.txt", out.str());
}

TEST_CASE("Report writers: the coloured text report matches its golden file", "[report]") {
  std::ostringstream out;
  write_text_report(test::sample_report(), out, true);
  check_golden("report_color.txt", out.str());
}

TEST_CASE("Report writers: the JSON report matches its golden file", "[report]") {
  std::ostringstream out;
  write_json_report(test::sample_report(), out);
  check_golden("report.json", out.str());
}

TEST_CASE("Report writers: the JUnit report matches its golden file", "[report]") {
  std::ostringstream out;
  write_junit_report(test::sample_report(), out);
  check_golden("report.xml", out.str());
}

TEST_CASE("Report writers: the normaliser hides durations and versions only", "[report]") {
  Report a = test::sample_report();
  Report b = a;
  b.duration = std::chrono::milliseconds(99999);
  b.tool_version = "9.9.9-dev";
  b.checks[0].duration = std::chrono::milliseconds(777);
  for (const auto write :
       {+[](const Report&r, std::ostream&o) { write_json_report(r, o); },
        +[](const Report&r, std::ostream&o) { write_junit_report(r, o); },
        +[](const Report&r, std::ostream&o) { write_text_report(r, o, false); }}) {
    std::ostringstream x;
    std::ostringstream y;
    write(a, x);
    write(b, y);
    CHECK(x.str() != y.str());
    CHECK(normalised(x.str()) == normalised(y.str()));
    // A real change still shows after normalising.
    Report c = a;
    c.checks[0].id = "other-id";
    std::ostringstream z;
    write(c, z);
    CHECK(normalised(x.str()) != normalised(z.str()));
  }
}
