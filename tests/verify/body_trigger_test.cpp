// Triggers carried in the body: a retry resends the bytes the key was first sent with, as a real
// client does, so verify never causes a fingerprint mismatch itself; where that makes a check
// unanswerable (the failure or crash fires again), the check says so.
#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "support/toy_target.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;
using Ids = std::set<std::string>;

TEST_CASE("verify: body triggers are resent on retries and never cause a verify-made mismatch",
          "[verify]") {
  CurlGlobal curl;
  const std::string profile = GENERATE(std::string("default"), std::string("stripe"));
  INFO("profile " << profile);
  GuardConfig guard;
  guard.lock_ttl = kTestLockTtl;
  guard.cache_5xx = profile == "stripe";
  guard.key_format = profile == "stripe" ? KeyFormat::Any : KeyFormat::Uuid4;
  ToyTarget target({guard, /*triggers_in_body=*/true, std::nullopt});
  verify::VerifyOptions options = test_options(profile);
  if (profile == "stripe") {
    // The toy keeps the guard's 422 and requires keys; stripe's other axes are what is judged.
    options.profile.mismatch = "422";
    options.profile.missing_key = "reject";
  }
  const Report report = verify::run_verify(source_catalogue(), target.describe(true), options);
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).empty());
  CHECK(ids_with(report, Verdict::Warn).empty());
  CHECK(ids_with(report, Verdict::Skip) ==
        Ids{"server-error-not-cached", "crash-releases-key", "key-expiry", "multi-instance"});
  for (const auto& c : report.checks) {
    if (c.id == "server-error-not-cached") {
      CHECK_THAT(c.reason, Catch::Contains("failure trigger is carried in the body") &&
                               Catch::Contains("give this trigger as a header"));
    }
    if (c.id == "crash-releases-key") {
      CHECK_THAT(c.reason, Catch::Contains("crash trigger is carried in the body"));
    }
    // Every exchange that reused a key sent the bytes of its first request: no 422 anywhere
    // but in the checks that change the request on purpose.
    if (c.id == "payload-mismatch" || c.id == "endpoint-mismatch") continue;
    for (const auto& e : c.exchanges) CHECK(e.status != 422);
  }
}

TEST_CASE("verify: the same target with header triggers judges every check", "[verify]") {
  CurlGlobal curl;
  GuardConfig guard;
  guard.lock_ttl = kTestLockTtl;
  ToyTarget target({guard, /*triggers_in_body=*/false, std::nullopt});
  const Report report =
      verify::run_verify(source_catalogue(), target.describe(true), test_options("default"));
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).empty());
  CHECK(ids_with(report, Verdict::Skip) == Ids{"key-expiry", "multi-instance"});
}
