// The writers with several endpoints in one report: a text section per endpoint, a JUnit
// testsuite per endpoint, and the endpoint on every check of the JSON report (schema 2).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "idem/report/report.hpp"
#include "report/sample_report.hpp"

using namespace idem;

namespace {

// The sample's checks on POST /payments, and a failed and a passed one on POST /refunds.
Report two_endpoints() {
  Report r = test::sample_report();
  CheckResult broken = r.checks[1];
  broken.endpoint = "POST /refunds";
  broken.id = "concurrent-duplicates";
  CheckResult fine = r.checks[0];
  fine.endpoint = "POST /refunds";
  r.checks.push_back(fine);
  r.checks.push_back(broken);
  r.checks[1].verdict = Verdict::Pass;  // POST /payments passes
  r.endpoints = {"POST /payments", "POST /refunds"};
  return r;
}

size_t occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("Report writers: several endpoints get a text section each with its tally",
          "[report]") {
  std::ostringstream out;
  write_text_report(two_endpoints(), out, false);
  const std::string text = out.str();
  INFO(text);
  const size_t payments = text.find("== POST /payments  (passed)\n");
  const size_t refunds = text.find("== POST /refunds  (1 check failed)\n");
  REQUIRE(payments != std::string::npos);
  REQUIRE(refunds != std::string::npos);
  CHECK(payments < refunds);
  // The failure is printed in the refunds section, after its heading.
  CHECK(text.find("FAIL  concurrent-duplicates") > refunds);
  CHECK_THAT(text, Catch::Contains("7 checks: 4 passed, 1 failed"));
}

TEST_CASE("Report writers: several endpoints get one JUnit testsuite each", "[report]") {
  std::ostringstream out;
  write_junit_report(two_endpoints(), out);
  const std::string xml = out.str();
  INFO(xml);
  CHECK_THAT(xml, Catch::Contains("<testsuites name=\"idemctl verify\" tests=\"7\" failures=\"1\""));
  CHECK(occurrences(xml, "<testsuite ") == 2);
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"idemctl verify POST /payments\" tests=\"5\" "
                                  "failures=\"0\""));
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"idemctl verify POST /refunds\" tests=\"2\" "
                                  "failures=\"1\""));
  CHECK_THAT(xml, Catch::Contains("<property name=\"endpoint\" value=\"POST /refunds\"/>"));
  CHECK_THAT(xml, Catch::Contains("classname=\"idemctl.verify.POST /refunds\" "
                                  "name=\"concurrent-duplicates\""));
  CHECK(xml.find("</testsuites>\n") == xml.size() - 14);
}

TEST_CASE("Report writers: the JSON report names the endpoint of every check (schema 2)",
          "[report]") {
  std::ostringstream out;
  write_json_report(two_endpoints(), out);
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["schema_version"] == 2);
  REQUIRE(j["endpoints"].size() == 2);
  CHECK(j["endpoints"][0] == nlohmann::json{{"endpoint", "POST /payments"},
                                            {"passed", true},
                                            {"total", 5},
                                            {"failed", 0}});
  CHECK(j["endpoints"][1]["passed"] == false);
  for (const auto& c : j["checks"]) CHECK_FALSE(c["endpoint"].get<std::string>().empty());
  CHECK(j["checks"][6]["endpoint"] == "POST /refunds");
  CHECK(j["checks"][6]["id"] == "concurrent-duplicates");
}
