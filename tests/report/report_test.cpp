#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "idem/report/report.hpp"
#include "report/sample_report.hpp"

using namespace idem;

namespace {

/// A report whose every string carries every byte value, to break escaping if it can.
Report hostile_report() {
  Report r = test::sample_report();
  const std::string bytes = test::all_bytes() + "]]> <!-- --> &amp; \xEF\xBF\xBF";
  r.tool_version = bytes;
  r.targets.push_back(bytes);
  r.profile = bytes;
  r.hints.push_back(bytes);
  for (CheckResult& c : r.checks) {
    c.id += bytes;
    c.title += bytes;
    c.reason += bytes;
    c.expected += bytes;
    ExchangeRecord ex;
    ex.label = ex.method = ex.url = ex.request_body = ex.response_body = ex.curl = bytes;
    ex.request_headers = ex.response_headers = {{bytes, bytes}};
    ex.status = 500;
    c.exchanges.push_back(ex);
  }
  return r;
}

/// Well-formedness by a real XML parser (python3's minidom, on this machine).
bool xml_well_formed(const std::string& xml, std::string& diagnostics) {
  char path[] = "/tmp/idem_junit_XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return false;
  ::close(fd);
  std::ofstream(path, std::ios::binary) << xml;
  const std::string cmd = std::string(
                              "python3 -c 'import xml.dom.minidom,sys; "
                              "xml.dom.minidom.parse(sys.argv[1])' ") +
                          path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return false;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p) != nullptr) diagnostics += buf;
  const int rc = ::pclose(p);
  std::remove(path);
  return rc == 0;
}

}  // namespace

TEST_CASE("Report: count and passed follow the verdicts", "[report]") {
  Report r = test::sample_report();
  CHECK(r.count(Verdict::Pass) == 2);
  CHECK(r.count(Verdict::Fail) == 1);
  CHECK(r.count(Verdict::Warn) == 1);
  CHECK(r.count(Verdict::Skip) == 1);
  CHECK_FALSE(r.passed());
  r.checks[1].verdict = Verdict::Warn;
  CHECK(r.passed());
  CHECK(Report{}.count(Verdict::Pass) == 0);
  CHECK(Report{}.passed());
}

TEST_CASE("Report: verdicts and levels print as upper-case words", "[report]") {
  CHECK(to_string(Verdict::Pass) == "PASS");
  CHECK(to_string(Verdict::Fail) == "FAIL");
  CHECK(to_string(Verdict::Warn) == "WARN");
  CHECK(to_string(Verdict::Skip) == "SKIP");
  CHECK(to_string(CheckLevel::Must) == "MUST");
  CHECK(to_string(CheckLevel::Should) == "SHOULD");
  CHECK(to_string(CheckLevel::Config) == "CONFIG");
  CHECK(to_string(CheckLevel::Info) == "INFO");
}

TEST_CASE("Report writers: text has colour only when asked and one line per check", "[report]") {
  std::ostringstream plain;
  std::ostringstream colored;
  write_text_report(test::sample_report(), plain, false);
  write_text_report(test::sample_report(), colored, true);
  CHECK(plain.str().find('\x1b') == std::string::npos);
  CHECK(colored.str().find("\x1b[") != std::string::npos);
  CHECK(plain.str().find("\nPASS  first-executes      MUST    A new key executes once\n") !=
        std::string::npos);
  CHECK(plain.str().find("5 checks: 2 passed, 1 failed, 1 warning, 1 skipped in 4.2s\n") !=
        std::string::npos);
  // The long body is cut; the control byte in a header is shown, not sent to the terminal.
  CHECK(plain.str().find(std::string(501, 'x')) == std::string::npos);
  CHECK(plain.str().find("... (707 bytes)") != std::string::npos);
  CHECK(plain.str().find("X-Ctl: a\\x01z") != std::string::npos);
}

TEST_CASE("Report writers: JUnit output is well-formed XML even for hostile strings", "[report]") {
  for (const Report& r : {test::sample_report(), hostile_report()}) {
    std::ostringstream out;
    write_junit_report(r, out);
    std::string diagnostics;
    INFO(diagnostics);
    CHECK(xml_well_formed(out.str(), diagnostics));
  }
  // The checker itself rejects broken XML, so the check above can fail.
  std::string diagnostics;
  CHECK_FALSE(xml_well_formed("<testsuite><testcase name=\"a&b\"/></testsuite>", diagnostics));
  CHECK_FALSE(xml_well_formed(std::string("<a>\x01</a>"), diagnostics));
}

TEST_CASE("Report writers: JUnit counts tests, failures and skips", "[report]") {
  std::ostringstream out;
  write_junit_report(test::sample_report(), out);
  const std::string xml = out.str();
  CHECK(xml.find("<testsuite name=\"idemctl verify\" tests=\"5\" failures=\"1\" errors=\"0\" "
                 "skipped=\"1\"") != std::string::npos);
  CHECK(xml.find("<testcase classname=\"idemctl.verify\" name=\"replay-identical\"") !=
        std::string::npos);
  CHECK(xml.find("<failure message=\"replay status 200 differs from 201\"") != std::string::npos);
  CHECK(xml.find("<skipped message=\"no failure trigger configured\"/>") != std::string::npos);
  CHECK(xml.find("<system-out>WARN ") != std::string::npos);
}

TEST_CASE("Report writers: the JSON report parses and has the documented fields", "[report]") {
  for (const Report& r : {test::sample_report(), hostile_report()}) {
    std::ostringstream out;
    write_json_report(r, out);
    const auto j = nlohmann::json::parse(out.str());
    CHECK(j.at("schema_version") == 2);
    CHECK(j.at("tool").at("name") == "idemctl");
    CHECK(j.at("tool").at("version").is_string());
    CHECK(j.at("targets").size() == r.targets.size());
    CHECK(j.at("profile").is_string());
    CHECK(j.at("passed") == false);
    CHECK(j.at("duration_ms") == 4213);
    CHECK(j.at("summary") ==
          nlohmann::json{
              {"total", 5}, {"passed", 2}, {"failed", 1}, {"warnings", 1}, {"skipped", 1},
              {"errors", 0}});
    CHECK(j.at("hints").size() == r.hints.size());
    REQUIRE(j.at("checks").size() == 5);
    for (const auto& c : j.at("checks")) {
      for (const char* field :
           {"id", "title", "level", "verdict", "reason", "expected", "duration_ms", "exchanges"}) {
        CHECK(c.contains(field));
      }
      for (const auto& ex : c.at("exchanges")) {
        for (const char* field : {"label", "request", "response", "transport_error", "curl"}) {
          CHECK(ex.contains(field));
        }
        for (const char* field :
             {"method", "url", "headers", "body", "body_bytes", "body_truncated"}) {
          CHECK(ex.at("request").contains(field));
        }
      }
    }
  }
  std::ostringstream out;
  write_json_report(test::sample_report(), out);
  const auto j = nlohmann::json::parse(out.str());
  const auto& failed = j.at("checks").at(1);
  CHECK(failed.at("verdict") == "FAIL");
  CHECK(failed.at("expected") == "status 201, byte-identical body, no new execution");
  const auto& first = failed.at("exchanges").at(0);
  CHECK(first.at("response").at("status") == 201);
  CHECK(first.at("response").at("headers").at(1) ==
        nlohmann::json{{"name", "Location"}, {"value", "/payments/p_1"}});
  CHECK(first.at("request").at("body") == R"({"amount":1000,"currency":"EUR"})");
  const auto& lost = failed.at("exchanges").at(2);
  CHECK(lost.at("response").is_null());
  CHECK(lost.at("transport_error") == "closed: Empty reply from server");
}
