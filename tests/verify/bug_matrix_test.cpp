// The proof that verify catches defects: for every --bug mode, the exact set of failing checks;
// for the healthy server, none. The same matrix is in docs/verify.md.
#include <catch2/catch.hpp>
#include <map>

#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

using Ids = std::set<std::string>;

const std::map<BugMode, Ids>& expected_failures() {
  static const std::map<BugMode, Ids> matrix = {
      {BugMode::NoLock, {"concurrent-duplicates", "client-abort"}},
      {BugMode::Cache5xx, {"server-error-not-cached"}},
      {BugMode::NoReplay,
       {"replay-identical", "after-burst-replay", "payload-mismatch", "lost-response",
        "client-abort", "large-response"}},
      {BugMode::FingerprintIgnored, {"payload-mismatch", "endpoint-mismatch"}},
      {BugMode::ReplayAs200, {"replay-identical", "replay-status", "after-burst-replay"}},
      {BugMode::KeyOptional, {"missing-key"}},
      {BugMode::LockNeverExpires, {"crash-releases-key"}},
      {BugMode::UnscopedKeys, {"principal-scope"}},
      {BugMode::ReplayDropsHeaders, {"replay-headers"}},
  };
  return matrix;
}

}  // namespace

TEST_CASE("verify: the healthy reference server passes every check of the default profile",
          "[verify]") {
  const Report report = verify_server(verify_server_config(), test_options("default"));
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).empty());
  CHECK(ids_with(report, Verdict::Warn).empty());
  // Skipped only for want of a second instance or an opt-in.
  CHECK(ids_with(report, Verdict::Skip) == Ids{"multi-instance", "key-expiry"});
  CHECK(report.passed());
}

TEST_CASE("verify: every bug mode fails exactly its checks", "[verify]") {
  REQUIRE(expected_failures().size() == all_bug_modes().size());
  for (BugMode bug : all_bug_modes()) {
    DYNAMIC_SECTION("bug " << to_string(bug)) {
      REQUIRE(expected_failures().count(bug) == 1);
      const Report report = verify_server(verify_server_config(bug), test_options("default"));
      INFO(summary(report));
      CHECK(ids_with(report, Verdict::Fail) == expected_failures().at(bug));
      CHECK(ids_with(report, Verdict::Warn).empty());
      if (bug == BugMode::NoReplay) {
        // Without a replay the checks that judge one have no premise: they skip, saying so.
        for (const auto& c : report.checks) {
          const bool judges_replay = c.id == "replay-status" || c.id == "replay-headers" ||
                                     c.id == "replay-marker" || c.id == "header-name";
          if (!judges_replay) continue;
          CHECK(c.verdict == Verdict::Skip);
          CHECK_THAT(c.reason, Catch::Contains("no replay"));
        }
      }
      CHECK_FALSE(report.passed());
    }
  }
}

TEST_CASE("verify: a failure carries the exchanges, the expectation and curl commands",
          "[verify]") {
  verify::VerifyOptions options = test_options("default");
  options.only = {"concurrent-duplicates"};
  const Report report = verify_server(verify_server_config(BugMode::NoLock), options);
  REQUIRE(report.checks.size() == 1);
  const CheckResult& c = report.checks.front();
  CHECK(c.verdict == Verdict::Fail);
  CHECK_THAT(c.reason, Catch::Contains("executed 8 time(s)"));
  CHECK_THAT(c.expected, Catch::Contains("1 execution"));
  REQUIRE(c.exchanges.size() == 8);
  CHECK(c.exchanges.front().status == 201);
  CHECK_THAT(c.exchanges.front().curl, Catch::Contains("Idempotency-Key"));
}
