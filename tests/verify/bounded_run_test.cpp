// Bounded runs: a target that accepts connections and never answers fails fast, each check
// naming why; the run's deadline ends a run that would take longer; on_check sees every check.
#include <catch2/catch.hpp>

#include <csignal>

#include "idem/client/http_client.hpp"
#include "support/hanging_server.hpp"
#include "support/process.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

using SteadyTime = std::chrono::steady_clock;

// Checks the catalogue skips whatever the target does (opt-in, missing prerequisites) are
// neither run nor counted here.
std::vector<const CheckResult*> judged(const Report& report) {
  std::vector<const CheckResult*> out;
  for (const auto& c : report.checks) {
    if (c.verdict != Verdict::Skip) out.push_back(&c);
  }
  return out;
}

}  // namespace

TEST_CASE("verify: a target that never answers stops the run after two timeouts, each check "
          "naming why",
          "[verify]") {
  CurlGlobal curl;
  HangingServer hanging;
  const verify::TargetSpec target = verify::reference_target({hanging.url()}, kTestLockTtl);
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{300};
  const auto started = SteadyTime::now();
  const Report report = verify::run_verify(source_catalogue(), target, options);
  const auto took = SteadyTime::now() - started;
  INFO(summary(report));
  // kTimeoutsToStopCheck requests of 300 ms, then nothing more is sent.
  CHECK(took < std::chrono::seconds(3));
  CHECK(hanging.wait_for_connections(2, Millis{1000}));
  CHECK_FALSE(hanging.wait_for_connections(3, Millis{100}));
  REQUIRE(report.checks.size() == source_catalogue().size());
  const auto checks = judged(report);
  REQUIRE(checks.size() > 10);
  CHECK_THAT(checks[0]->reason, Catch::Contains("no answer (timeout"));
  CHECK_THAT(checks[1]->reason,
             Catch::Contains("stopped: 2 requests in a row got no answer within --timeout "
                             "300ms; the target accepts connections but never answers"));
  for (size_t i = 2; i < checks.size(); ++i) {
    INFO(checks[i]->id);
    CHECK((checks[i]->verdict == Verdict::Error || checks[i]->verdict == Verdict::Warn));
    CHECK_THAT(checks[i]->reason, Catch::StartsWith("not run: 2 requests in a row got no answer"));
    CHECK(checks[i]->exchanges.empty());
  }
}

TEST_CASE("verify: the run's deadline cuts a request short and fails the checks left as not run",
          "[verify]") {
  CurlGlobal curl;
  HangingServer hanging;
  const verify::TargetSpec target = verify::reference_target({hanging.url()}, kTestLockTtl);
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{5000};
  options.deadline = Millis{400};
  const auto started = SteadyTime::now();
  const Report report = verify::run_verify(source_catalogue(), target, options);
  INFO(summary(report));
  CHECK(SteadyTime::now() - started < std::chrono::seconds(2));
  const auto checks = judged(report);
  REQUIRE(checks.size() > 10);
  CHECK_THAT(checks[0]->reason, Catch::Contains("stopped: the run's --deadline of 400ms passed"));
  for (size_t i = 1; i < checks.size(); ++i) {
    INFO(checks[i]->id);
    CHECK_THAT(checks[i]->reason, Catch::Equals("not run: the run's --deadline of 400ms passed"));
  }
}

TEST_CASE("verify: against a healthy server the deadline lets the checks before it pass",
          "[verify]") {
  verify::VerifyOptions options = test_options("default");
  // crash-releases-key alone waits out the 500 ms lock TTL plus its margin, so 1 s ends the run
  // inside the catalogue.
  options.deadline = Millis{1000};
  const auto started = SteadyTime::now();
  const Report report = verify_server(verify_server_config(), options);
  const auto took = SteadyTime::now() - started;
  INFO(summary(report));
  CHECK(took < std::chrono::seconds(3));
  CHECK_FALSE(report.passed());
  CHECK(report.count(Verdict::Pass) >= 3);
  const auto& last = report.checks.back();
  CHECK_THAT(last.reason, Catch::Contains("the run's --deadline of 1s passed"));
  bool cut = false;
  for (const auto& c : report.checks) {
    if (cut) CHECK(c.verdict != Verdict::Pass);
    cut = cut || c.reason.find("--deadline of 1s passed") != std::string::npos;
  }
}

TEST_CASE("verify: on_check is called once per check, in order, with its result", "[verify]") {
  verify::VerifyOptions options = test_options("default");
  options.only = {"first-executes", "replay-identical", "payload-mismatch"};
  std::vector<std::string> seen;
  options.on_check = [&](const CheckResult& c) {
    seen.push_back(c.id + " " + std::string(to_string(c.verdict)));
  };
  const Report report = verify_server(verify_server_config(), options);
  REQUIRE(report.checks.size() == 3);
  CHECK(seen == std::vector<std::string>{"first-executes PASS", "replay-identical PASS",
                                         "payload-mismatch PASS"});
}

TEST_CASE("verify: a target that stops answering mid-run stops the run after 3 timeouts in a row "
          "across checks",
          "[verify]") {
  CurlGlobal curl;
  // A real `idemctl serve` in its own process: SIGSTOP freezes it with its sockets open, so it
  // accepts connections (the kernel's backlog) and answers nothing, as a wedged service does.
  BackgroundProcess serve({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "-q",
                           "--lock-ttl", "1s"});
  const int port = serve.wait_for_port();
  REQUIRE(port > 0);
  const verify::TargetSpec target =
      verify::reference_target({"http://127.0.0.1:" + std::to_string(port)}, Millis{1000});
  verify::VerifyOptions options = test_options("default");
  options.timeout = Millis{300};
  constexpr size_t kAnswered = 3;
  size_t judged_so_far = 0;
  options.on_check = [&](const CheckResult& r) {
    if (r.verdict != Verdict::Skip && ++judged_so_far == kAnswered) serve.signal(SIGSTOP);
  };
  const Report report = verify::run_verify(source_catalogue(), target, options);
  serve.signal(SIGCONT);
  INFO(summary(report));
  const auto checks = judged(report);
  REQUIRE(checks.size() > kAnswered + 3);
  for (size_t i = 0; i < kAnswered; ++i) CHECK(checks[i]->verdict == Verdict::Pass);
  // After the freeze: the check that met the first timeouts stops, and once 3 requests in a row
  // (across checks) got no answer, every later check is not run, sending nothing.
  size_t first_not_run = checks.size();
  for (size_t i = kAnswered; i < checks.size(); ++i) {
    if (checks[i]->reason.starts_with("not run: ")) {
      first_not_run = i;
      break;
    }
  }
  REQUIRE(first_not_run < checks.size());
  // At most 3 checks meet the 3 timeouts (one request each at worst).
  CHECK(first_not_run <= kAnswered + 3);
  for (size_t i = kAnswered; i < checks.size(); ++i) {
    INFO(checks[i]->id << ": " << checks[i]->reason);
    CHECK(checks[i]->verdict != Verdict::Pass);
    if (i < first_not_run) continue;
    CHECK((checks[i]->verdict == Verdict::Error || checks[i]->verdict == Verdict::Warn));
    CHECK_THAT(checks[i]->reason, Catch::StartsWith("not run: "));
    CHECK_THAT(checks[i]->reason, Catch::Contains(" requests in a row got no answer within "
                                                  "--timeout 300ms; the target stopped answering"));
    CHECK(checks[i]->exchanges.empty());
  }
  CHECK_FALSE(report.passed());
}
