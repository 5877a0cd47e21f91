// Profiles change only CONFIG checks: the reference server passes the profiles it claims, and a
// profile that declares another policy fails exactly the checks of that axis.
#include <catch2/catch.hpp>

#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;
using Ids = std::set<std::string>;

TEST_CASE("verify: the reference server passes the ietf profile, which judges no 5xx policy",
          "[verify]") {
  const Report report = verify_server(verify_server_config(), test_options("ietf"));
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail).empty());
  CHECK(ids_with(report, Verdict::Skip) ==
        Ids{"multi-instance", "key-expiry", "replay-marker", "server-error-not-cached"});
}

TEST_CASE(
    "verify: the stripe profile passes a server that caches 5xx, once told its mismatch status",
    "[verify]") {
  ServerConfig config = verify_server_config();
  config.guard.cache_5xx = true;
  config.guard.key_format = KeyFormat::Any;
  verify::VerifyOptions options = test_options("stripe");
  SECTION("stripe's 400 for a reused key is not the reference server's 422") {
    const Report report = verify_server(config, options);
    INFO(summary(report));
    CHECK(ids_with(report, Verdict::Fail) == Ids{"payload-mismatch"});
  }
  SECTION("with --mismatch-status 422 everything passes") {
    REQUIRE(verify::set_axis(options.profile, "mismatch", "422").ok());
    const Report report = verify_server(config, options);
    INFO(summary(report));
    CHECK(ids_with(report, Verdict::Fail).empty());
    CHECK(ids_with(report, Verdict::Skip).count("missing-key") == 1);
  }
}

TEST_CASE("verify: the default profile fails a server that caches 5xx, the stripe profile does not",
          "[verify]") {
  ServerConfig config = verify_server_config();
  config.guard.cache_5xx = true;
  verify::VerifyOptions options = test_options("default");
  options.only = {"server-error-not-cached"};
  CHECK(ids_with(verify_server(config, options), Verdict::Fail) == Ids{"server-error-not-cached"});
  options.profile = *verify::builtin_profile("stripe");
  CHECK(ids_with(verify_server(config, options), Verdict::Pass) == Ids{"server-error-not-cached"});
}

TEST_CASE("verify: the fiber profile (duplicates wait) fails a server that answers 409",
          "[verify]") {
  ServerConfig config = verify_server_config();
  config.guard.key_header = "X-Idempotency-Key";
  config.guard.cache_5xx = true;
  config.guard.key_format = KeyFormat::Any;
  const Report report = verify_server(config, test_options("fiber"));
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Fail) == Ids{"concurrent-duplicates", "client-abort"});
}

TEST_CASE("verify: MUST checks fail in every profile when the server has no lock", "[verify]") {
  for (const char* name : {"default", "ietf", "stripe", "fiber"}) {
    DYNAMIC_SECTION("profile " << name) {
      ServerConfig config = verify_server_config(BugMode::NoLock);
      config.guard.key_header = verify::builtin_profile(name)->key_header;
      verify::VerifyOptions options = test_options(name);
      options.only = {"concurrent-duplicates"};
      CHECK(ids_with(verify_server(config, options), Verdict::Fail) ==
            Ids{"concurrent-duplicates"});
    }
  }
}

TEST_CASE("verify: a server keyed by X-Idempotency-Key gets the header-name hint", "[verify]") {
  ServerConfig config = verify_server_config();
  config.guard.key_header = "X-Idempotency-Key";
  verify::VerifyOptions options = test_options("default");
  options.only = {"header-name"};
  const Report report = verify_server(config, options);
  REQUIRE(report.checks.size() == 1);
  CHECK(report.checks.front().verdict == Verdict::Warn);
  REQUIRE(report.hints.size() == 1);
  CHECK_THAT(report.hints.front(), Catch::Contains("--key-header X-Idempotency-Key"));
  CHECK(report.passed());  // a hint never fails the run
}

TEST_CASE("verify: the opt-in key-expiry check sees the key execute again after the TTL",
          "[verify]") {
  ServerConfig config = verify_server_config();
  config.guard.ttl = Millis{1000};
  verify::VerifyOptions options = test_options("default");
  options.only = {"key-expiry"};
  const Report report = verify_server(config, options);
  INFO(summary(report));
  CHECK(ids_with(report, Verdict::Pass) == Ids{"key-expiry"});
}
