// RedisStore against a real redis-server: the store contract with short real TTLs, the key
// layout, and what one request costs in Redis commands.
#include <hiredis/hiredis.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "idem/fingerprint.hpp"
#include "idem/key.hpp"
#include "idem/store/redis_store.hpp"
#include "store/redis_connection.hpp"
#include "store/store_contract.hpp"
#include "support/redis_process.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr auto kExpiryBound = std::chrono::seconds(5);
constexpr auto kPoll = std::chrono::milliseconds(5);

// A prefix of its own per store, so runs and parallel tests never see each other's records.
std::unique_ptr<RedisStore> open_test_store(const std::string& url) {
  StoreOptions options;
  options.redis_prefix = "idem-test:" + new_owner_token() + ":";
  options.redis_timeout = kTestRedisTimeout;
  auto store = RedisStore::open(url, options);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  return std::move(store).value();
}

bool poll_until(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + kExpiryBound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(kPoll);  // polling a condition, bounded by the deadline
  }
  return condition();
}

// Counts the commands clients send, through MONITOR, which shows each one once; commands run
// inside a Lua script appear as "[0 lua]" and are not round trips, so they are left out.
// (INFO commandstats counts those too, so it cannot tell one EVALSHA from several commands.)
class ClientCommandCounter {
 public:
  explicit ClientCommandCounter(int port) : port_(port) {
    timeval tv{2, 0};
    monitor_.reset(redisConnectWithTimeout("127.0.0.1", port, tv));
    REQUIRE(monitor_);
    REQUIRE(monitor_->err == 0);
    REQUIRE(redisSetTimeout(monitor_.get(), tv) == REDIS_OK);
    RedisReplyPtr ok(static_cast<redisReply*>(redisCommand(monitor_.get(), "MONITOR")));
    REQUIRE(ok);
    REQUIRE(reply_text(*ok) == "OK");
  }

  /// Client commands seen since the previous call (or since MONITOR started).
  long long count() {
    const std::string marker = "idem-marker-" + new_owner_token();
    redis_command(port_, {"ECHO", marker});
    long long seen = 0;
    for (int i = 0; i < 100'000; ++i) {  // bounded; each read is bounded by the 2 s timeout
      void* raw = nullptr;
      REQUIRE(redisGetReply(monitor_.get(), &raw) == REDIS_OK);
      RedisReplyPtr line(static_cast<redisReply*>(raw));
      const std::string_view text = reply_text(*line);
      if (text.find(marker) != std::string_view::npos) return seen;
      if (text.find(" lua]") == std::string_view::npos) ++seen;
    }
    FAIL("the MONITOR marker never arrived");
    return -1;
  }

 private:
  int port_;
  std::unique_ptr<redisContext, RedisContextDeleter> monitor_;
};

}  // namespace

TEST_CASE("RedisStore: meets the store contract against a real redis-server", "[redis]") {
  auto store = open_test_store(shared_redis_url());
  StoreUnderTest t{*store, Millis{800}, false, poll_until};
  check_store_contract(t);
}

TEST_CASE("RedisStore: a record is one hash-tagged key whose Redis TTL is the lease, then the TTL",
          "[redis]") {
  const std::string url = shared_redis_url();
  auto store = open_test_store(url);
  const std::string record_key = "scope:{tricky}key";
  const std::string redis_key = store->redis_key(record_key);
  CHECK(redis_key.ends_with("{" + sha256_hex(record_key) + "}"));
  CHECK(redis_key.starts_with("idem-test:"));

  const int port = redis_port(url);
  auto c = store->claim(record_key, "fp", std::chrono::seconds(30));
  REQUIRE(c.ok());
  const long long lock_pttl = std::stoll(redis_command(port, {"PTTL", redis_key}));
  CHECK(lock_pttl > 25'000);
  CHECK(lock_pttl <= 30'000);
  REQUIRE(store->complete(record_key, c->owner, HttpResponse{201, {}, "ok"}, std::chrono::hours(1))
              .ok());
  const long long record_pttl = std::stoll(redis_command(port, {"PTTL", redis_key}));
  CHECK(record_pttl > 3'500'000);
  CHECK(record_pttl <= 3'600'000);
  CHECK(redis_command(port, {"HEXISTS", redis_key, "o"}) == "0");
}

TEST_CASE("RedisStore: a new key costs 2 Redis commands, a replay and a conflict 1 each",
          "[redis]") {
  RedisProcess redis;  // its own server: MONITOR must not see other tests' commands
  auto store = open_test_store(redis.url());
  ClientCommandCounter commands(redis.port());
  CHECK(commands.count() == 0);

  auto c = store->claim("new-key", "fp", std::chrono::seconds(30));
  REQUIRE(c.ok());
  REQUIRE(c->state == ClaimState::Claimed);
  CHECK(commands.count() == 1);
  auto conflict = store->claim("new-key", "fp", std::chrono::seconds(30));
  REQUIRE(conflict.ok());
  CHECK(conflict->state == ClaimState::InFlight);
  CHECK(commands.count() == 1);  // a conflict: 1
  REQUIRE(store->complete("new-key", c->owner, HttpResponse{201, {}, "ok"}, std::chrono::hours(1))
              .ok());
  CHECK(commands.count() == 1);  // a new key: claim + complete = 2
  auto replay = store->claim("new-key", "fp", std::chrono::seconds(30));
  REQUIRE(replay.ok());
  CHECK(replay->state == ClaimState::Completed);
  CHECK(commands.count() == 1);  // a replay: 1
}

TEST_CASE("RedisStore: scripts lost by Redis (SCRIPT FLUSH) are reloaded through EVAL", "[redis]") {
  RedisProcess redis;
  auto store = open_test_store(redis.url());
  redis_command(redis.port(), {"SCRIPT", "FLUSH"});
  auto c = store->claim("k", "fp", std::chrono::seconds(30));
  REQUIRE(c.ok());
  CHECK(c->state == ClaimState::Claimed);
  auto again = store->claim("k", "fp", std::chrono::seconds(30));
  REQUIRE(again.ok());
  CHECK(again->state == ClaimState::InFlight);
}

TEST_CASE("RedisStore: a dead Redis is Unavailable, and the same store works once it is back",
          "[redis]") {
  RedisProcess redis;
  auto store = open_test_store(redis.url());
  REQUIRE(store->ping().ok());
  redis.kill();
  auto down = store->claim("k", "fp", std::chrono::seconds(30));
  REQUIRE(!down.ok());
  CHECK(down.error().code == ErrorCode::Unavailable);
  auto ping_down = store->ping();
  REQUIRE(!ping_down.ok());
  CHECK(ping_down.error().code == ErrorCode::Unavailable);
  redis.restart();
  // No retry loop: the very first call after the restart must succeed.
  auto up = store->claim("k", "fp", std::chrono::seconds(30));
  INFO((up.ok() ? std::string() : up.error().message));
  REQUIRE(up.ok());
  CHECK(up->state == ClaimState::Claimed);
  CHECK(store->ping().ok());
}

TEST_CASE("RedisStore: opening with nothing listening is Unavailable naming the address",
          "[redis]") {
  StoreOptions options;
  options.redis_timeout = Millis{200};
  auto store = RedisStore::open("redis://127.0.0.1:1", options);
  REQUIRE(!store.ok());
  CHECK(store.error().code == ErrorCode::Unavailable);
  CHECK_THAT(store.error().message, Catch::Contains("127.0.0.1:1"));
  CHECK(store.error().message.find('\n') == std::string::npos);
}

TEST_CASE("RedisStore: describe() names host, port and db but never the password", "[redis]") {
  RedisProcess redis;
  redis_command(redis.port(), {"CONFIG", "SET", "requirepass", "s3cret"});
  StoreOptions options;
  auto store =
      RedisStore::open("redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/2", options);
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  CHECK((*store)->describe() == "redis://127.0.0.1:" + std::to_string(redis.port()) + "/2");
  auto c = (*store)->claim("k", "fp", std::chrono::seconds(30));
  REQUIRE(c.ok());
  CHECK(c->state == ClaimState::Claimed);

  auto wrong =
      RedisStore::open("redis://:hunter2@127.0.0.1:" + std::to_string(redis.port()), options);
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().code == ErrorCode::InvalidArgument);
  CHECK(wrong.error().message.find("hunter2") == std::string::npos);
}

TEST_CASE("Server on Redis: an HTTP request with a new key costs 2 Redis commands, a replay 1",
          "[redis][server]") {
  RedisProcess redis;
  TestServer server(quiet_config(), open_test_store(redis.url()));
  ClientCommandCounter commands(redis.port());
  const std::string key = new_uuid4();
  REQUIRE(post_with_key(server.port(), key).status == 201);
  CHECK(commands.count() == 2);
  const Exchange replay = post_with_key(server.port(), key);
  REQUIRE(replay.status == 201);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(commands.count() == 1);
}

TEST_CASE("RedisStore: a username and password in the URL authenticate as that ACL user",
          "[redis]") {
  RedisProcess redis;
  redis_command(redis.port(), {"ACL", "SETUSER", "alice", "on", ">pa:ss@1", "~*", "+@all"});
  const std::string base = "@127.0.0.1:" + std::to_string(redis.port());
  auto store = RedisStore::open("redis://alice:pa%3Ass%401" + base, StoreOptions{});
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  auto c = (*store)->claim("k", "fp", std::chrono::seconds(30));
  REQUIRE(c.ok());
  CHECK(c->state == ClaimState::Claimed);
  auto wrong = RedisStore::open("redis://alice:nope" + base, StoreOptions{});
  REQUIRE(!wrong.ok());
  CHECK(wrong.error().code == ErrorCode::InvalidArgument);
  CHECK_THAT(wrong.error().message, Catch::Contains("AUTH"));
}

TEST_CASE("RedisStore: with wait_for_store, opening waits for a Redis that comes up later",
          "[redis]") {
  RedisProcess redis;
  redis.kill();
  StoreOptions options;
  options.wait_for_store = std::chrono::seconds(10);
  std::atomic<bool> returned{false};
  Result<std::unique_ptr<RedisStore>> store = make_error(ErrorCode::Internal, "not run");
  std::thread opener([&] {
    store = RedisStore::open(redis.url(), options);
    returned = true;
  });
  CHECK(!returned);  // it waits instead of failing at once
  redis.restart();
  opener.join();
  INFO((store.ok() ? std::string() : store.error().message));
  REQUIRE(store.ok());
  CHECK((*store)->ping().ok());
}
