// Every row of the reference server's semantics table, end to end over HTTP on loopback.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "idem/key.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

bool is_problem(const Exchange& r, int status) {
  if (r.status != status || r.header("Content-Type") != "application/problem+json") return false;
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  return !j.is_discarded() && j.contains("type") && j.contains("title") && j.contains("detail") &&
         j.value("status", 0) == status;
}

}  // namespace

TEST_CASE("Server: a guarded request without a key is 400 problem+json and runs nothing",
          "[server]") {
  TestServer ts(quiet_config());
  for (int i = 0; i < 2; ++i) {
    const Exchange r = send(ts.port(), "POST", "/payments", {}, kPaymentBody);
    CHECK(is_problem(r, 400));
  }
  CHECK(ts.server().executions().total() == 0);
}

TEST_CASE("Server: invalid keys are 400 problem+json with their own type", "[server]") {
  TestServer ts(quiet_config());
  const std::vector<HeaderList> bad = {
      {{"Idempotency-Key", "not-a-uuid"}},
      {{"Idempotency-Key", "\"" + new_uuid4()}},
      {{"Idempotency-Key", new_uuid4()}, {"Idempotency-Key", new_uuid4()}},
  };
  for (const auto& headers : bad) {
    const Exchange r = send(ts.port(), "POST", "/payments", headers, kPaymentBody);
    CHECK(is_problem(r, 400));
    CHECK(nlohmann::json::parse(r.body).at("type") == "/problems/invalid-key");
  }
  CHECK(ts.server().executions().total() == 0);
}

TEST_CASE("Server: a new key runs the handler once and a duplicate replays it", "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(ts.port(), key);
  const Exchange replay = post_with_key(ts.port(), key);
  CHECK(first.status == 201);
  CHECK_FALSE(first.header("Idempotent-Replayed"));
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  CHECK(replay.header("Location") == first.header("Location"));
  CHECK(replay.header("Content-Type") == "application/json");
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: the quoted and the bare form of a key name the same record", "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  CHECK(post_with_key(ts.port(), key).status == 201);
  const Exchange quoted = post_with_key(ts.port(), "\"" + key + "\"");
  CHECK(quoted.header("Idempotent-Replayed") == "true");
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: a duplicate while the first is running is 409 with Retry-After", "[server]") {
  ServerConfig config = quiet_config();
  config.handler_delay = std::chrono::milliseconds(300);
  TestServer ts(config);
  const std::string key = new_uuid4();
  Exchange first;
  Exchange second;
  run_together(2, [&](int i) {
    if (i == 0) {
      first = post_with_key(ts.port(), key);
    } else {
      // Wait (bounded) until the first request holds the lock, then send the duplicate.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (ts.server().store().stats()->locked == 0 &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
      second = post_with_key(ts.port(), key);
    }
  });
  CHECK(first.status == 201);
  CHECK(is_problem(second, 409));
  CHECK(second.header("Retry-After"));
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: another body or another endpoint with a used key is 422 and runs nothing",
          "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(ts.port(), key);
  REQUIRE(first.status == 201);
  for (int i = 0; i < 2; ++i) {
    CHECK(is_problem(post_with_key(ts.port(), key, R"({"amount":2000,"currency":"EUR"})"), 422));
  }
  CHECK(is_problem(post_with_key(ts.port(), key, kPaymentBody, "/payments?variant=2"),
                   422));
  CHECK(ts.executions(key) == 1);
  // The original stays replayable.
  CHECK(post_with_key(ts.port(), key).body == first.body);
}

TEST_CASE("Server: two callers using one key never share a record", "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  const Exchange alice = post_with_key(ts.port(), key, kPaymentBody, "/payments", "Bearer alice");
  const Exchange bob = post_with_key(ts.port(), key, kPaymentBody, "/payments", "Bearer bob");
  CHECK(alice.status == 201);
  CHECK(bob.status == 201);
  CHECK_FALSE(bob.header("Idempotent-Replayed"));
  CHECK(bob.body != alice.body);
  CHECK(ts.executions(key, "Bearer alice") == 1);
  CHECK(ts.executions(key, "Bearer bob") == 1);
}

TEST_CASE("Server: a 4 MiB response replays byte for byte", "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  const std::string path = "/payments?pad=" + std::to_string(4 << 20);
  const Exchange first = post_with_key(ts.port(), key, kPaymentBody, path);
  const Exchange replay = post_with_key(ts.port(), key, kPaymentBody, path);
  REQUIRE(first.status == 201);
  CHECK(first.body.size() > (4u << 20));
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(replay.body == first.body);
  CHECK(ts.executions(key) == 1);
}

TEST_CASE("Server: methods that are not guarded pass through, key or not", "[server]") {
  TestServer ts(quiet_config());
  const Exchange created = post_with_key(ts.port(), new_uuid4());
  const std::string location = *created.header("Location");
  const HeaderList with_key{{"Idempotency-Key", new_uuid4()}};
  for (int i = 0; i < 2; ++i) {
    const Exchange r = send(ts.port(), "GET", location, with_key);
    CHECK(r.status == 200);
    CHECK_FALSE(r.header("Idempotent-Replayed"));
  }
}

TEST_CASE("Server: a completed key executes again after its TTL", "[server]") {
  FakeClock clock;
  ServerConfig config = quiet_config();
  config.guard.ttl = std::chrono::seconds(60);
  TestServer ts(config, std::make_unique<MemoryStore>(clock), clock);
  const std::string key = new_uuid4();
  CHECK(post_with_key(ts.port(), key).status == 201);
  clock.advance(std::chrono::seconds(59));
  CHECK(post_with_key(ts.port(), key).header("Idempotent-Replayed") == "true");
  clock.advance(std::chrono::seconds(1));
  const Exchange again = post_with_key(ts.port(), key);
  CHECK(again.status == 201);
  CHECK_FALSE(again.header("Idempotent-Replayed"));
}

TEST_CASE("Server: a body over --max-body is 413 and malformed JSON is 400 problem+json",
          "[server]") {
  ServerConfig config = quiet_config();
  config.max_body = 1024;
  TestServer ts(config);
  CHECK(post_with_key(ts.port(), new_uuid4(), std::string(4096, 'x')).status == 413);
  const Exchange malformed = post_with_key(ts.port(), new_uuid4(), "{not json");
  CHECK(is_problem(malformed, 400));
  CHECK(nlohmann::json::parse(malformed.body).at("type") == "/problems/malformed-body");
}

TEST_CASE("Server: /metrics counts requests by outcome and handler executions", "[server]") {
  TestServer ts(quiet_config());
  const std::string key = new_uuid4();
  (void)post_with_key(ts.port(), key);
  (void)post_with_key(ts.port(), key);
  (void)send(ts.port(), "POST", "/payments", {}, kPaymentBody);
  const Exchange m = send(ts.port(), "GET", "/metrics");
  REQUIRE(m.status == 200);
  CHECK_THAT(m.body, Catch::Contains("idem_requests_total{outcome=\"executed\"} 1"));
  CHECK_THAT(m.body, Catch::Contains("idem_requests_total{outcome=\"replayed\"} 1"));
  CHECK_THAT(m.body, Catch::Contains("idem_requests_total{outcome=\"rejected\"} 1"));
  CHECK_THAT(m.body, Catch::Contains("idem_handler_executions_total 1"));
  CHECK_THAT(m.body, Catch::Contains("idem_request_duration_seconds_count 3"));
}

TEST_CASE("Server: keys compare byte for byte, percent signs included", "[server]") {
  // httplib 0.11 percent-decodes header values; the listener restores the bytes as sent.
  ServerConfig config = quiet_config();
  config.guard.key_format = KeyFormat::Any;
  TestServer ts(config);
  const Exchange encoded = post_with_key(ts.port(), "key%41x");
  const Exchange plain = post_with_key(ts.port(), "keyAx");
  CHECK(encoded.status == 201);
  CHECK(plain.status == 201);
  CHECK_FALSE(plain.header("Idempotent-Replayed"));
  CHECK(ts.executions("key%41x") == 1);
  CHECK(ts.executions("keyAx") == 1);
}
