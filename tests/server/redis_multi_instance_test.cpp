// Two reference server instances sharing one Redis: duplicates spread over both still execute
// once, and an expired lock left by one instance is taken over by the other.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "idem/fingerprint.hpp"
#include "idem/key.hpp"
#include "support/redis_process.hpp"
#include "support/redis_servers.hpp"

using namespace idem;
using namespace idem::test;

TEST_CASE(
    "Two instances on one Redis: 50 rounds of 16 duplicates spread over both execute "
    "exactly once per round",
    "[redis][server][concurrency]") {
  ServerConfig config = quiet_config();
  config.handler_delay = std::chrono::milliseconds(50);  // keep the winner in flight
  TwoInstances servers(shared_redis_url(), config);
  constexpr int kRounds = 50;
  const int rounds_ok = run_duplicate_rounds(
      kRounds, 16, [&](int i) { return servers.pick(i).port(); },
      [&](const std::string& key) { return servers.executions(key); });
  CHECK(rounds_ok == kRounds);
}

TEST_CASE("Two instances on one Redis: a completed key on one is replayed by the other",
          "[redis][server]") {
  TwoInstances servers(shared_redis_url(), quiet_config());
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(servers.a.port(), key);
  REQUIRE(first.status == 201);
  CHECK(!first.header("Idempotent-Replayed"));
  const Exchange replay = post_with_key(servers.b.port(), key);
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  CHECK(replay.header("Location") == first.header("Location"));
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(servers.executions(key) == 1);
}

TEST_CASE("Two instances on one Redis: an expired lock left by one is taken over by the other",
          "[redis][server]") {
  TwoInstances servers(shared_redis_url(), quiet_config());
  const std::string key = new_uuid4();
  // Instance a "crashes" mid-request: its claim is made and never completed.
  const std::string fp =
      request_fingerprint("POST", "/payments", kPaymentBody, FingerprintMode::Raw);
  auto abandoned = servers.a.server().store().claim(scoped_record_key("", key), fp,
                                                    std::chrono::milliseconds(1000));
  REQUIRE(abandoned.ok());
  REQUIRE(abandoned->state == ClaimState::Claimed);

  const Exchange blocked = post_with_key(servers.b.port(), key);
  CHECK(blocked.status == 409);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  Exchange taken;
  int attempts = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    ++attempts;
    taken = post_with_key(servers.b.port(), key);
    if (taken.status != 409) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling, bounded
  }
  INFO("attempts " << attempts);
  REQUIRE(taken.status == 201);
  CHECK(!taken.header("Idempotent-Replayed"));
  CHECK(servers.b.executions(key) == 1);
  CHECK(servers.a.executions(key) == 0);
  // The crashed holder's late completion must not overwrite the new one.
  auto late =
      servers.a.server().store().complete(scoped_record_key("", key), abandoned->owner,
                                          HttpResponse{500, {}, "late"}, std::chrono::hours(1));
  REQUIRE(!late.ok());
  CHECK(late.error().code == ErrorCode::Conflict);
  CHECK(post_with_key(servers.a.port(), key).body == taken.body);
}
