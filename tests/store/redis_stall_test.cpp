// A Redis that stalls (SIGSTOP) past --redis-timeout while a claim is on the wire: the claim
// times out (503 upstream), but Redis runs it when it resumes. Without a compensating release
// that lock, held by nobody, refused every retry (409) for the whole lock TTL.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "idem/store/redis_store.hpp"
#include "support/redis_process.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr auto kStallTimeout = std::chrono::milliseconds(200);
constexpr auto kLockTtl = std::chrono::seconds(60);  // far longer than the test may take

std::unique_ptr<RedisStore> open_store(const RedisProcess& redis, const std::string& prefix) {
  StoreOptions options;
  options.redis_prefix = prefix;
  options.redis_timeout = kStallTimeout;
  options.redis_pool_size = 2;
  auto store = RedisStore::open(redis.url(), options);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store).value();
}

// Waits (bounded) until Redis holds `n` keys under `prefix`: the stalled claim has landed.
bool wait_for_keys(const RedisProcess& redis, const std::string& prefix, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    // One line per key.
    const std::string keys = redis_command(redis.port(), {"KEYS", prefix + "*"});
    const auto count = static_cast<size_t>(std::count(keys.begin(), keys.end(), '\n'));
    if (count == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE(
    "Redis store: a claim lost to a stalled Redis is released when Redis resumes, so the "
    "retry runs instead of getting 409 for the lock TTL",
    "[redis][store][outage]") {
  RedisProcess redis;  // its own server: stopping the shared one would stall other tests
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    const std::string prefix = "stall-" + std::to_string(round) + ":";
    auto store = open_store(redis, prefix);
    const std::string key = "key-" + std::to_string(round);

    redis.pause();
    auto lost = store->claim(key, "fp", kLockTtl);
    redis.resume();
    REQUIRE_FALSE(lost.ok());
    CHECK(lost.error().code == ErrorCode::Unavailable);
    // The premise: Redis ran the claim whose answer was lost (its lock is there, unowned).
    INFO("lost: " << (lost.ok() ? std::string("ok") : lost.error().message));
    REQUIRE(wait_for_keys(redis, prefix, 1));

    auto retry = store->claim(key, "fp", kLockTtl);
    INFO((retry.ok() ? std::string() : retry.error().message));
    REQUIRE(retry.ok());
    CHECK(retry->state == ClaimState::Claimed);  // not InFlight until the lock TTL
    // The retry's own lock is a real one: a duplicate now conflicts, and completing works.
    auto duplicate = store->claim(key, "fp", kLockTtl);
    REQUIRE(duplicate.ok());
    CHECK(duplicate->state == ClaimState::InFlight);
    CHECK(store->release(key, retry->owner).ok());
  }
}

TEST_CASE("Redis store: a compensating release never frees a lock another owner took",
          "[redis][store][outage]") {
  RedisProcess redis;
  const std::string prefix = "stall-owner:";
  auto stalled = open_store(redis, prefix);
  auto other = open_store(redis, prefix);  // a second instance on the same Redis

  redis.pause();
  CHECK_FALSE(stalled->claim("k", "fp", std::chrono::milliseconds(300)).ok());
  redis.resume();
  REQUIRE(wait_for_keys(redis, prefix, 1));
  // The lost lock expires (300 ms) and the other instance takes the key for real.
  ClaimState state = ClaimState::InFlight;
  OwnerToken owner;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (state != ClaimState::Claimed && std::chrono::steady_clock::now() < deadline) {
    auto c = other->claim("k", "fp", kLockTtl);
    REQUIRE(c.ok());
    state = c->state;
    owner = c->owner;
    if (state != ClaimState::Claimed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(state == ClaimState::Claimed);
  // The stalled instance's next claim sends its pending release: owner checked, a no-op.
  auto next = stalled->claim("k", "fp", kLockTtl);
  REQUIRE(next.ok());
  CHECK(next->state == ClaimState::InFlight);  // still the other instance's lock
  CHECK(other->release("k", owner).ok());
}
