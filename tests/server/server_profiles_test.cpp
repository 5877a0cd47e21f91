// The reference server in each profile's behaviour (SEMANTICS §4): duplicates that wait for the
// first answer (fiber), bounded by the lock TTL; the mismatch status; a key that may be left out;
// the key header. Over real HTTP on loopback.
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "idem/key.hpp"
#include "idem/verify/profile.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

ServerConfig profile_config(const std::string& name) {
  ServerConfig c = quiet_config();
  auto profile = verify::builtin_profile(name);
  REQUIRE(profile.ok());
  c.guard = verify::guard_config_for(*profile, c.guard);
  return c;
}

using SteadyTime = std::chrono::steady_clock;

}  // namespace

TEST_CASE("Profiles: the profile names map to the guard's axes", "[server]") {
  const GuardConfig fiber = profile_config("fiber").guard;
  CHECK(fiber.key_header == "X-Idempotency-Key");
  CHECK(fiber.key_optional);
  CHECK(fiber.key_format == KeyFormat::Any);
  CHECK(fiber.in_flight == InFlightPolicy::Wait);
  CHECK(fiber.cache_5xx);
  const GuardConfig stripe = profile_config("stripe").guard;
  CHECK(stripe.mismatch_status == 400);
  CHECK(stripe.key_optional);
  CHECK(stripe.cache_5xx);
  CHECK(stripe.in_flight == InFlightPolicy::Conflict);
  const GuardConfig def = profile_config("default").guard;
  CHECK(def.mismatch_status == 422);
  CHECK_FALSE(def.key_optional);
  CHECK(def.in_flight == InFlightPolicy::Conflict);
  CHECK(def.key_format == KeyFormat::Uuid4);
}

TEST_CASE("Profiles: fiber's simultaneous duplicates wait and all get the one execution's answer",
          "[server]") {
  ServerConfig config = profile_config("fiber");
  config.guard.lock_ttl = std::chrono::seconds(5);
  TestServer ts(config);
  constexpr int kRounds = 10;
  constexpr int kDuplicates = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = new_uuid4();
    std::mutex mu;  // guards answers
    std::vector<Exchange> answers;
    const auto started = SteadyTime::now();
    run_together(kDuplicates, [&](int) {
      Exchange r = send(ts.port(), "POST", "/payments",
                        {{"X-Idempotency-Key", key}, {"Idemctl-Fault", "delay=200ms"}},
                        kPaymentBody);
      const std::lock_guard lock(mu);
      answers.push_back(std::move(r));
    });
    // Woken by the completion, not by the 5 s lock TTL that bounds the wait.
    CHECK(SteadyTime::now() - started < std::chrono::seconds(3));
    CHECK(ts.executions(key) == 1);
    REQUIRE(answers.size() == kDuplicates);
    int replays = 0;
    for (const Exchange& a : answers) {
      CHECK(a.status == 201);
      CHECK(a.body == answers.front().body);
      replays += a.header("Idempotent-Replayed") == "true" ? 1 : 0;
    }
    CHECK(replays == kDuplicates - 1);
  }
}

TEST_CASE("Profiles: a waiting duplicate of a crashed holder waits at most the lock TTL",
          "[server]") {
  ServerConfig config = profile_config("fiber");
  config.guard.lock_ttl = Millis{400};
  TestServer ts(config);
  const std::string key = new_uuid4();
  const Exchange crash = send(ts.port(), "POST", "/payments",
                              {{"X-Idempotency-Key", key}, {"Idemctl-Fault", "crash"}},
                              kPaymentBody);
  CHECK(crash.status == 0);
  const auto started = SteadyTime::now();
  const Exchange retry =
      send(ts.port(), "POST", "/payments", {{"X-Idempotency-Key", key}}, kPaymentBody);
  const auto waited = SteadyTime::now() - started;
  // The lock expired under the waiting retry, which then took the key over and ran.
  CHECK(retry.status == 201);
  CHECK(ts.executions(key) == 1);
  CHECK(waited < std::chrono::seconds(2));
}

TEST_CASE("Profiles: under lock-never-expires a waiting duplicate gives up with 409 after the "
          "lock TTL",
          "[server]") {
  ServerConfig config = profile_config("fiber");
  config.guard.lock_ttl = Millis{300};
  config.guard.bug = BugMode::LockNeverExpires;
  TestServer ts(config);
  const std::string key = new_uuid4();
  send(ts.port(), "POST", "/payments", {{"X-Idempotency-Key", key}, {"Idemctl-Fault", "crash"}},
       kPaymentBody);
  const auto started = SteadyTime::now();
  const Exchange retry =
      send(ts.port(), "POST", "/payments", {{"X-Idempotency-Key", key}}, kPaymentBody);
  CHECK(retry.status == 409);
  CHECK(SteadyTime::now() - started >= Millis{300});
  CHECK(SteadyTime::now() - started < std::chrono::seconds(3));
}

TEST_CASE("Profiles: stripe answers a reused key with 400 and lets a keyless request through",
          "[server]") {
  TestServer ts(profile_config("stripe"));
  const std::string key = "any-key-at-all";
  CHECK(post_with_key(ts.port(), key).status == 201);
  const Exchange other = post_with_key(ts.port(), key, R"({"amount":5,"currency":"EUR"})");
  CHECK(other.status == 400);
  CHECK(other.header("Content-Type") == "application/problem+json");
  CHECK(send(ts.port(), "POST", "/payments", {}, kPaymentBody).status == 201);
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Profiles: a failure is stored and replayed under stripe and fiber", "[server]") {
  const std::string name = GENERATE(std::string("stripe"), std::string("fiber"));
  ServerConfig config = profile_config(name);
  TestServer ts(config);
  const std::string header = config.guard.key_header;
  const std::string key = new_uuid4();
  const Exchange failed = send(ts.port(), "POST", "/payments",
                               {{header, key}, {"Idemctl-Fault", "status=503"}}, kPaymentBody);
  CHECK(failed.status == 503);
  const Exchange retry = send(ts.port(), "POST", "/payments", {{header, key}}, kPaymentBody);
  CHECK(retry.status == 503);
  CHECK(retry.header("Idempotent-Replayed") == "true");
}
