// No verdict without its premise (SEMANTICS §4): against a plain REST server with no idempotency
// at all, only the checks whose property such a server really has may pass; every check that
// judges a replay, a 409 or a trigger's effect says what it did not observe.
#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "support/toy_target.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;
using Ids = std::set<std::string>;

namespace {

const CheckResult& check(const Report& report, const std::string& id) {
  for (const auto& c : report.checks) {
    if (c.id == id) return c;
  }
  FAIL("no check " << id);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("verify: a server without idempotency passes only the checks it really satisfies",
          "[verify]") {
  CurlGlobal curl;
  ToyTarget plain;
  const bool by_url = GENERATE(false, true);
  INFO((by_url ? "executions counted by URL" : "executions inferred from the answers"));
  const Report report =
      verify::run_verify(source_catalogue(), plain.describe(by_url), test_options("default"));
  INFO(summary(report));
  // Each of these holds for a server that simply executes every request: a new key answers
  // 2xx, two keys execute twice, another endpoint or caller is never given someone else's
  // answer, a 5xx is not replayed, nothing is stuck after a crash, GET is answered normally,
  // and keys do not wait on each other.
  CHECK(ids_with(report, Verdict::Pass) ==
        Ids{"first-executes", "distinct-keys", "endpoint-mismatch", "principal-scope",
            "server-error-not-cached", "crash-releases-key", "safe-methods", "keys-in-parallel"});
  CHECK(ids_with(report, Verdict::Fail) ==
        Ids{"missing-key", "malformed-key", "replay-identical", "concurrent-duplicates",
            "after-burst-replay", "payload-mismatch", "lost-response", "client-abort",
            "large-response"});
  CHECK(ids_with(report, Verdict::Warn).empty());
  for (const char* id : {"replay-status", "replay-headers", "replay-marker"}) {
    const CheckResult& c = check(report, id);
    CHECK(c.verdict == Verdict::Skip);
    CHECK_THAT(c.reason, Catch::Contains("no replay to judge") &&
                             Catch::Contains("is not a replay of 'first'"));
    CHECK_FALSE(c.exchanges.empty());
  }
  CHECK(check(report, "conflict-shape").verdict == Verdict::Skip);
  CHECK_THAT(check(report, "conflict-shape").reason, Catch::Contains("no answer with status 409"));
  CHECK(check(report, "header-name").verdict == Verdict::Skip);
  CHECK_THAT(check(report, "header-name").reason, Catch::Contains("no replay with"));
  CHECK_FALSE(report.passed());
}

TEST_CASE("verify: key-expiry without a replay before the TTL skips instead of waiting",
          "[verify]") {
  CurlGlobal curl;
  ToyTarget plain;
  verify::TargetSpec target = plain.describe(false);
  target.record_ttl = Millis{4000};  // the premise ends the check before this wait
  verify::VerifyOptions options = test_options("default");
  options.only = {"key-expiry"};
  const auto started = std::chrono::steady_clock::now();
  const Report report = verify::run_verify(source_catalogue(), target, options);
  REQUIRE(report.checks.size() == 1);
  CHECK(report.checks[0].verdict == Verdict::Skip);
  CHECK_THAT(report.checks[0].reason, Catch::Contains("no replay to judge"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
}

TEST_CASE("verify: a trigger that does not do what it claims fails naming the premise",
          "[verify]") {
  CurlGlobal curl;
  ToyTarget plain;
  verify::TargetSpec target = plain.describe(false);
  target.failure = verify::Trigger{{{"X-Fault", "none"}}, std::nullopt};
  target.crash = verify::Trigger{{{"X-Fault", "none"}}, std::nullopt};
  verify::VerifyOptions options = test_options("default");
  options.only = {"server-error-not-cached", "crash-releases-key"};
  const Report report = verify::run_verify(source_catalogue(), target, options);
  REQUIRE(report.checks.size() == 2);
  CHECK_THAT(check(report, "server-error-not-cached").reason,
             Catch::StartsWith("premise not met (the failure trigger makes the handler answer "
                               "5xx): failure: status 201"));
  CHECK_THAT(check(report, "crash-releases-key").reason,
             Catch::StartsWith("premise not met (the crash trigger ends the exchange"));
  for (const auto& c : report.checks) CHECK(c.verdict == Verdict::Fail);
}
