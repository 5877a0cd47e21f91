// Handler failures, crashes, lost responses and store outages, end to end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <future>
#include <thread>

#include "idem/key.hpp"
#include "idem/store/faulty_store.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

Exchange post_with_fault(int port, const std::string& key, const std::string& fault) {
  return send(port, "POST", "/payments", {{"Idempotency-Key", key}, {"Idemctl-Fault", fault}},
              kPaymentBody);
}

// Retries `key` until it is no longer 409 or `timeout` passes; returns the last answer.
Exchange retry_until_not_conflict(int port, const std::string& key,
                                  std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Exchange r = post_with_key(port, key);
  while (r.status == 409 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r = post_with_key(port, key);
  }
  return r;
}

}  // namespace

TEST_CASE("Server: a 5xx is not cached, so a retry runs the handler again", "[server][faults]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  CHECK(post_with_fault(ts.port(), key, "status=503").status == 503);
  const Exchange retry = post_with_key(ts.port(), key);
  CHECK(retry.status == 201);
  CHECK_FALSE(retry.header("Idempotent-Replayed"));
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: under --cache-5xx a 5xx is replayed", "[server][faults]") {
  ServerConfig config = quiet_config();
  config.guard.cache_5xx = true;
  TestServer ts(config);
  const std::string key = new_uuid4();
  CHECK(post_with_fault(ts.port(), key, "status=500").status == 500);
  const Exchange retry = post_with_key(ts.port(), key);
  CHECK(retry.status == 500);
  CHECK(retry.header("Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 0);
}

TEST_CASE("Server: a handler that throws answers 500 and releases the key", "[server][faults]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  CHECK(post_with_fault(ts.port(), key, "throw").status == 500);
  CHECK(post_with_key(ts.port(), key).status == 201);
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: a crashed holder's key is 409 until its lock expires, then taken over",
          "[server][faults]") {
  ServerConfig config = quiet_config();
  config.guard.lock_ttl = std::chrono::milliseconds(400);
  TestServer ts(config);
  const std::string key = new_uuid4();
  const Exchange crashed = post_with_fault(ts.port(), key, "crash");
  CHECK(crashed.status == 0);  // no answer at all
  CHECK(post_with_key(ts.port(), key).status == 409);
  const Exchange after = retry_until_not_conflict(ts.port(), key, std::chrono::seconds(5));
  CHECK(after.status == 201);
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: a dropped response was executed and stored; the retry replays it",
          "[server][faults]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  const Exchange dropped = post_with_fault(ts.port(), key, "drop");
  CHECK(dropped.status == 0);
  CHECK_FALSE(dropped.error.empty());
  const Exchange retry = post_with_key(ts.port(), key);
  CHECK(retry.status == 201);
  CHECK(retry.header("Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: a delayed handler delays, and a malformed fault header is 400",
          "[server][faults]") {
  TestServer ts(quiet_config());
  CHECK(post_with_fault(ts.port(), new_uuid4(), "delay=20ms").status == 201);
  const std::string key = new_uuid4();
  CHECK(post_with_fault(ts.port(), key, "explode").status == 400);
  CHECK(ts.executions(key) == 0);
}

TEST_CASE("Server: the fault header is ignored when switched off", "[server][faults]") {
  ServerConfig config = quiet_config();
  config.fault_header = false;
  TestServer ts(config);
  CHECK(post_with_fault(ts.port(), new_uuid4(), "status=503").status == 201);
}

TEST_CASE("Server: --fail-rate 1 fails every handler run without effect", "[server][faults]") {
  ServerConfig config = quiet_config();
  config.fail_rate = 1.0;
  TestServer ts(config);
  const std::string key = new_uuid4();
  CHECK(post_with_key(ts.port(), key).status == 500);
  CHECK(post_with_key(ts.port(), key).status == 500);
  CHECK(ts.executions(key) == 0);
}

TEST_CASE("Server: a store outage is 503 with Retry-After, runs nothing, and /healthz degrades",
          "[server][faults]") {
  auto faulty = std::make_unique<FaultyStore>(std::make_unique<MemoryStore>());
  FaultyStore& store = *faulty;
  TestServer ts(quiet_config(), std::move(faulty));
  store.set_unavailable(true);
  const std::string key = new_uuid4();
  const Exchange r = post_with_key(ts.port(), key);
  CHECK(r.status == 503);
  CHECK(r.header("Content-Type") == "application/problem+json");
  CHECK(r.header("Retry-After"));
  CHECK(ts.server().executions().total() == 0);
  const Exchange health = send(ts.port(), "GET", "/healthz");
  CHECK(health.status == 503);
  CHECK(nlohmann::json::parse(health.body).at("status") == "degraded");
  store.set_unavailable(false);
  CHECK(send(ts.port(), "GET", "/healthz").status == 200);
  CHECK(post_with_key(ts.port(), key).status == 201);
}

TEST_CASE("Server: a response that cannot be stored is still answered and counted",
          "[server][faults]") {
  auto faulty = std::make_unique<FaultyStore>(std::make_unique<MemoryStore>());
  FaultyStore& store = *faulty;
  TestServer ts(quiet_config(), std::move(faulty));
  store.set_complete_fails(true);
  CHECK(post_with_key(ts.port(), new_uuid4()).status == 201);
  CHECK(ts.server().metrics().store_write_failures() == 1);
}

namespace {

// Waits (bounded) until the server counts `n` requests in flight.
bool wait_in_flight(TestServer& ts, long long n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ts.server().metrics().in_flight() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST_CASE("Server: an Idemctl-Fault delay above --max-fault-delay is refused before anything runs",
          "[server][faults]") {
  ServerConfig config = quiet_config();
  config.max_fault_delay = std::chrono::seconds(2);
  TestServer ts(config);
  const std::string key = new_uuid4();
  const Exchange refused = post_with_fault(ts.port(), key, "delay=1h");
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("/problems/bad-fault"));
  CHECK_THAT(refused.body, Catch::Contains("--max-fault-delay 2s"));
  CHECK(ts.executions(key) == 0);
  CHECK(ts.server().store().stats()->records == 0);  // no claim was taken
  // At the limit it is honoured (a short limit keeps the test short).
  config.max_fault_delay = std::chrono::milliseconds(50);
  TestServer at_limit(config);
  CHECK(post_with_fault(at_limit.port(), key, "delay=50ms").status == 201);
  CHECK(post_with_fault(at_limit.port(), new_uuid4(), "delay=51ms").status == 400);
}

TEST_CASE("Server: stopping ends Idemctl-Fault delays at once: 503, claim released, nothing ran",
          "[server][faults]") {
  for (int round = 0; round < 3; ++round) {
    TestServer ts(quiet_config());  // max-fault-delay 1m by default
    const std::string key = new_uuid4();
    Exchange parked;
    std::thread client([&] { parked = post_with_fault(ts.port(), key, "delay=50s"); });
    REQUIRE(wait_in_flight(ts, 1));
    REQUIRE(ts.server().store().stats()->locked == 1);
    // stop() must return long before the 50 s delay (the client itself gives up after 10 s).
    auto stopped = std::async(std::launch::async, [&] { ts.server().stop(); });
    REQUIRE(stopped.wait_for(std::chrono::seconds(8)) == std::future_status::ready);
    client.join();
    INFO("round " << round << ": " << parked.error);
    CHECK(parked.status == 503);
    CHECK_THAT(parked.body, Catch::Contains("/problems/shutting-down"));
    CHECK(parked.header("Retry-After") == "1");
    CHECK(ts.server().executions().total() == 0);  // stopped: read in-process, not over HTTP
    CHECK(ts.server().store().stats()->records == 0);
    CHECK(ts.server().metrics().in_flight() == 0);
  }
}
