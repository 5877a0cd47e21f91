// Redis dies in the middle of a burst: the servers fail closed (503, never a second
// execution), /healthz says degraded, and the same servers recover when Redis returns.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "idem/fingerprint.hpp"
#include "idem/key.hpp"
#include "support/redis_process.hpp"
#include "support/redis_servers.hpp"

using namespace idem;
using namespace idem::test;

namespace {

bool is_problem_with_retry_after(const Exchange& r) {
  return r.header("Content-Type") == "application/problem+json" && r.header("Retry-After");
}

}  // namespace

TEST_CASE(
    "Redis outage: killed mid-burst, answers are correct or 503, no double execution, "
    "and service resumes after a restart on the same port",
    "[redis][server][outage]") {
  RedisProcess redis;  // its own server: killing the shared one would break other tests
  ServerConfig config = quiet_config();
  config.handler_delay = std::chrono::milliseconds(10);
  TwoInstances servers(redis.url(), config);

  constexpr int kThreads = 16;
  constexpr int kKeys = 40;
  constexpr int kKillAfter = kThreads * kKeys / 4;
  std::vector<std::string> keys;
  for (int i = 0; i < kKeys; ++i) keys.push_back(new_uuid4());

  std::atomic<int> answered{0};
  std::atomic<int> ok{0};
  std::atomic<int> unavailable{0};
  std::atomic<int> bad{0};
  std::mutex mu;  // guards bad_example
  std::string bad_example;
  std::atomic<bool> killed{false};

  std::thread killer([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (answered < kKillAfter && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // polling, bounded
    }
    redis.kill();
    killed = true;
  });
  run_together(kThreads, [&](int t) {
    for (int i = 0; i < kKeys; ++i) {
      // Every thread sends every key, in its own order, alternating instances: duplicates
      // overlap in flight and land on both servers.
      const std::string& key = keys[static_cast<size_t>((i * 7 + t) % kKeys)];
      const Exchange r = post_with_key(servers.pick(t + i).port(), key);
      ++answered;
      if ((r.status == 201) || (r.status == 409 && is_problem_with_retry_after(r))) {
        ++ok;
      } else if (r.status == 503 && is_problem_with_retry_after(r)) {
        ++unavailable;
      } else {
        ++bad;
        std::lock_guard lock(mu);
        bad_example = std::to_string(r.status) + " " + r.error + " " + r.body;
      }
    }
  });
  killer.join();
  REQUIRE(killed);

  INFO("ok " << ok << ", 503 " << unavailable << ", bad " << bad << " (" << bad_example << ")");
  CHECK(bad == 0);
  CHECK(ok >= kKillAfter / 2);  // Redis was up for the first part of the burst
  CHECK(unavailable > 0);       // and down for the rest
  int doubles = 0;
  for (const auto& key : keys) {
    if (servers.executions(key) > 1) ++doubles;
  }
  CHECK(doubles == 0);

  for (TestServer* s : {&servers.a, &servers.b}) {
    const Exchange health = send(s->port(), "GET", "/healthz");
    CHECK(health.status == 503);
    CHECK_THAT(health.body, Catch::Contains("degraded"));
  }

  redis.restart();
  // No retry: the first requests after Redis is back must be served.
  for (TestServer* s : {&servers.a, &servers.b}) {
    const Exchange health = send(s->port(), "GET", "/healthz");
    CHECK(health.status == 200);
    CHECK_THAT(health.body, Catch::Contains("\"ok\""));
  }
  const std::string key = new_uuid4();
  const Exchange fresh = post_with_key(servers.a.port(), key);
  CHECK(fresh.status == 201);
  const Exchange replay = post_with_key(servers.b.port(), key);
  CHECK(replay.status == 201);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(replay.body == fresh.body);
  CHECK(servers.executions(key) == 1);
}

TEST_CASE(
    "Redis outage: a response that cannot be stored is still answered and counted in "
    "/metrics",
    "[redis][server][outage]") {
  RedisProcess redis;
  TestServer server(quiet_config(), open_redis_store(redis.url(), "idem-test:"));
  const std::string key = new_uuid4();
  const auto* store = dynamic_cast<const RedisStore*>(&server.server().store());
  REQUIRE(store != nullptr);
  const std::string redis_key = store->redis_key(scoped_record_key("", key));

  Exchange answer;
  std::thread client([&] {
    answer = send(server.port(), "POST", "/payments",
                  {{"Idempotency-Key", key}, {"Idemctl-Fault", "delay=1s"}}, kPaymentBody);
  });
  // Redis dies while the handler runs: after the claim, before the completion.
  bool claimed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!claimed && std::chrono::steady_clock::now() < deadline) {
    claimed = redis_command(redis.port(), {"EXISTS", redis_key}) == "1";
    if (!claimed) std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling, bounded
  }
  redis.kill();
  client.join();
  REQUIRE(claimed);
  CHECK(answer.status == 201);
  const Exchange metrics = send(server.port(), "GET", "/metrics");
  CHECK_THAT(metrics.body, Catch::Contains("idem_store_write_failures_total 1"));
}
