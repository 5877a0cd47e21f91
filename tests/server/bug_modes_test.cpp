// Each --bug mode really misbehaves the way its name says, so verify has something to catch.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "idem/key.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

ServerConfig with_bug(BugMode bug) {
  ServerConfig c = quiet_config();
  c.guard.bug = bug;
  return c;
}

}  // namespace

TEST_CASE("Bug no-lock: simultaneous duplicates execute more than once", "[server][bugs]") {
  ServerConfig config = with_bug(BugMode::NoLock);
  config.handler_delay = std::chrono::milliseconds(100);
  TestServer ts(config);
  // With a 100 ms handler, 8 duplicates released together overlap; a few rounds make it certain.
  long long worst = 0;
  for (int round = 0; round < 5 && worst < 2; ++round) {
    const std::string key = new_uuid4();
    run_together(8, [&](int) { (void)post_with_key(ts.port(), key); });
    worst = std::max(worst, ts.executions(key));
  }
  CHECK(worst >= 2);
}

TEST_CASE("Bug cache-5xx: a handler failure is replayed instead of retried", "[server][bugs]") {
  TestServer ts(with_bug(BugMode::Cache5xx));
  const std::string key = new_uuid4();
  (void)send(ts.port(), "POST", "/payments", {{"Idempotency-Key", key}, {"Idemctl-Fault", "status=503"}},
             kPaymentBody);
  const Exchange retry = post_with_key(ts.port(), key);
  CHECK(retry.status == 503);
  CHECK(ts.executions(key) == 0);
}

TEST_CASE("Bug no-replay: a completed key executes again", "[server][bugs]") {
  TestServer ts(with_bug(BugMode::NoReplay));
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(ts.port(), key);
  const Exchange second = post_with_key(ts.port(), key);
  CHECK(second.body != first.body);
  CHECK(ts.executions(key) == 2);
}

TEST_CASE("Bug fingerprint-ignored: another payload gets the first response", "[server][bugs]") {
  TestServer ts(with_bug(BugMode::FingerprintIgnored));
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(ts.port(), key);
  const Exchange other = post_with_key(ts.port(), key, R"({"amount":5,"currency":"USD"})");
  CHECK(other.status == 201);
  CHECK(other.body == first.body);
}

TEST_CASE("Bug replay-as-200: a 201 replays as 200", "[server][bugs]") {
  TestServer ts(with_bug(BugMode::ReplayAs200));
  const std::string key = new_uuid4();
  CHECK(post_with_key(ts.port(), key).status == 201);
  CHECK(post_with_key(ts.port(), key).status == 200);
}

TEST_CASE("Bug key-optional: a request without a key runs unguarded", "[server][bugs]") {
  TestServer ts(with_bug(BugMode::KeyOptional));
  CHECK(send(ts.port(), "POST", "/payments", {}, kPaymentBody).status == 201);
  CHECK(send(ts.port(), "POST", "/payments", {}, kPaymentBody).status == 201);
  CHECK(ts.server().executions().total() == 2);
}

TEST_CASE("Bug lock-never-expires: a crashed holder's key stays 409 past the lock TTL",
          "[server][bugs]") {
  ServerConfig config = with_bug(BugMode::LockNeverExpires);
  config.guard.lock_ttl = std::chrono::milliseconds(100);
  TestServer ts(config);
  const std::string key = new_uuid4();
  (void)send(ts.port(), "POST", "/payments", {{"Idempotency-Key", key}, {"Idemctl-Fault", "crash"}},
             kPaymentBody);
  // Time itself is the subject here: let three lock TTLs pass, then retry.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(post_with_key(ts.port(), key).status == 409);
}

TEST_CASE("Bug unscoped-keys: another caller gets the first caller's response",
          "[server][bugs]") {
  TestServer ts(with_bug(BugMode::UnscopedKeys));
  const std::string key = new_uuid4();
  const Exchange alice = post_with_key(ts.port(), key, kPaymentBody, "/payments", "Bearer alice");
  const Exchange bob = post_with_key(ts.port(), key, kPaymentBody, "/payments", "Bearer bob");
  CHECK(bob.body == alice.body);
  CHECK(ts.executions(key, "Bearer bob") == 0);
}

TEST_CASE("Bug replay-drops-headers: a replay loses Location and the stored Content-Type",
          "[server][bugs]") {
  TestServer ts(with_bug(BugMode::ReplayDropsHeaders));
  const std::string key = new_uuid4();
  CHECK(post_with_key(ts.port(), key).header("Location"));
  const Exchange replay = post_with_key(ts.port(), key);
  CHECK(replay.status == 201);
  CHECK_FALSE(replay.header("Location"));
  // httplib fills in a default type for a body without one; the stored type is gone.
  CHECK(replay.header("Content-Type") != "application/json");
}

TEST_CASE("Bug modes: every mode has a test above", "[server][bugs]") {
  // Guards against a new mode slipping in untested: update this list with a new test case.
  CHECK(all_bug_modes().size() == 9);
}
