// Handler failures, crashes, lost responses and store outages, end to end.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
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
