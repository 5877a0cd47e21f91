// RedisStore against a real redis-server at maxmemory with noeviction: a new key is Full (503
// store-full upstream), never an outage or a crash; replays, in-flight answers and completions
// keep working.
#include <catch2/catch.hpp>
#include <string>

#include "idem/key.hpp"
#include "idem/store/redis_store.hpp"
#include "support/redis_process.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr Millis kLease = std::chrono::seconds(30);
constexpr Millis kTtl = std::chrono::seconds(60);
constexpr int kMaxFill = 200'000;  // bounded: the margin below fills after a few thousand keys
const HttpResponse kAnswer{201, {{"Content-Type", "application/json"}}, R"({"id":"p"})"};

long long used_memory(int port) {
  const std::string info = redis_command(port, {"INFO", "memory"});
  const auto at = info.find("used_memory:");
  REQUIRE(at != std::string::npos);
  return std::stoll(info.substr(at + 12));
}

}  // namespace

TEST_CASE("RedisStore: at maxmemory with noeviction a new key is Full; existing keys still answer",
          "[redis][bound]") {
  RedisProcess redis;
  StoreOptions options;
  options.redis_timeout = kTestRedisTimeout;
  auto opened = RedisStore::open(redis.url(), options);
  REQUIRE(opened.ok());
  RedisStore& store = **opened;

  auto done = store.claim("done", "fp", kLease);
  REQUIRE(done.ok());
  REQUIRE(store.complete("done", done->owner, kAnswer, kTtl).ok());
  auto held = store.claim("held", "fp", kLease);
  REQUIRE(held.ok());
  REQUIRE(held->state == ClaimState::Claimed);

  redis_command(redis.port(), {"CONFIG", "SET", "maxmemory-policy", "noeviction"});
  redis_command(redis.port(), {"CONFIG", "SET", "maxmemory",
                               std::to_string(used_memory(redis.port()) + 256 * 1024)});
  int claimed = 0;
  bool full = false;
  for (int i = 0; i < kMaxFill && !full; ++i) {
    auto c = store.claim("fill-" + std::to_string(i), "fp", kLease);
    INFO((c.ok() ? std::string() : c.error().message));
    REQUIRE(c.ok());  // never Unavailable: a full Redis is not an outage
    if (c->state == ClaimState::Full) full = true;
    if (c->state == ClaimState::Claimed) ++claimed;
  }
  REQUIRE(full);
  CHECK(claimed > 0);
  CHECK(store.claim(new_uuid4(), "fp", kLease)->state == ClaimState::Full);

  auto replay = store.claim("done", "fp", kLease);
  REQUIRE(replay.ok());
  REQUIRE(replay->state == ClaimState::Completed);
  CHECK(replay->response->body() == kAnswer.body);
  auto in_flight = store.claim("held", "fp", kLease);
  REQUIRE(in_flight.ok());
  CHECK(in_flight->state == ClaimState::InFlight);
  CHECK(in_flight->lock_remaining > Millis{0});
  // The lock's holder completes even though Redis is full, so the key never runs twice.
  REQUIRE(store.complete("held", held->owner, kAnswer, kTtl).ok());
  CHECK(store.claim("held", "fp", kLease)->state == ClaimState::Completed);
}
