// A target known only by its URL: executions are inferred from the answers, checks that need
// what was not described are skipped, and nothing that could raise a false alarm is guessed.
#include <catch2/catch.hpp>

#include "support/test_server.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;
using Ids = std::set<std::string>;

namespace {

Report verify_generic(const ServerConfig& config) {
  TestServer server(config);
  verify::TargetSpec target;
  target.base_urls = {server.server().base_url()};
  target.headers = {{"Content-Type", "application/json"}};
  return verify::run_verify(source_catalogue(), target, test_options("default"));
}

}  // namespace

TEST_CASE("verify: a generic target skips what it did not describe and passes the rest",
          "[verify]") {
  const Report report = verify_generic(verify_server_config());
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).empty());
  CHECK(ids_with(report, Verdict::Skip) ==
        Ids{"conflict-shape", "endpoint-mismatch", "principal-scope", "server-error-not-cached",
            "crash-releases-key", "client-abort", "large-response", "key-expiry", "multi-instance",
            "keys-in-parallel"});
  for (const auto& c : report.checks) {
    if (c.verdict == Verdict::Skip) CHECK_FALSE(c.reason.empty());
  }
}

TEST_CASE("verify: distinct answers reveal double executions without an executions counter",
          "[verify]") {
  ServerConfig config = verify_server_config(BugMode::NoLock);
  config.handler_delay = Millis{100};  // what a slow trigger would do, for every request
  const Report report = verify_generic(config);
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).count("concurrent-duplicates") == 1);
}

TEST_CASE("verify: a declared TTL too long to wait out skips its check instead of hanging",
          "[verify]") {
  verify::TargetSpec target =
      verify::reference_target({"http://127.0.0.1:9"}, std::chrono::hours(1));
  target.record_ttl = std::chrono::hours(24);
  verify::VerifyOptions options = test_options("default");
  options.only = {"crash-releases-key", "key-expiry"};
  const Report report = verify::run_verify(source_catalogue(), target, options);
  REQUIRE(report.checks.size() == 2);
  for (const auto& c : report.checks) {
    CHECK(c.verdict == Verdict::Skip);
    CHECK_THAT(c.reason, Catch::Contains("longer than verify waits"));
  }
}
