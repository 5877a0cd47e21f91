// The real idemctl binary with --store redis://: start-up failures and their exit codes,
// --wait-for-store, and two `serve` processes sharing one Redis.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "idem/key.hpp"
#include "support/process.hpp"
#include "support/redis_process.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

long count_lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

std::unique_ptr<BackgroundProcess> serve_on(const std::string& redis_url,
                                            const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {IDEMCTL_BINARY, "serve",   "--listen", "127.0.0.1:0",
                                   "-q",           "--store", redis_url};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<BackgroundProcess>(args);
}

long long executions(int port, const std::string& key) {
  const Exchange r = send(port, "GET", "/__idem/executions?key=" + key);
  REQUIRE(r.status == 200);
  return nlohmann::json::parse(r.body).at("executions").get<long long>();
}

}  // namespace

TEST_CASE("Redis serve: nothing listening at the Redis address exits 3 with one line",
          "[redis][cli]") {
  const auto r = run_process(
      {IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--store", "redis://127.0.0.1:1"},
      std::chrono::seconds(20));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.out + r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains("redis 127.0.0.1:1 unreachable"));
}

TEST_CASE("Redis serve: --wait-for-store retries for that long before exiting 3", "[redis][cli]") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_process({IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--store",
                              "redis://127.0.0.1:1", "--wait-for-store", "600ms"},
                             std::chrono::seconds(20));
  const auto took = std::chrono::steady_clock::now() - start;
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(count_lines(r.out + r.err) == 1);
  CHECK(took >= std::chrono::milliseconds(500));
}

TEST_CASE("Redis serve: --wait-for-store starts serving once a late Redis comes up",
          "[redis][cli]") {
  RedisProcess redis;
  redis.kill();
  auto serve = serve_on(redis.url(), {"--wait-for-store", "20s"});
  redis.restart();
  const int port = serve->wait_for_port();
  INFO(serve->out() << serve->err());
  REQUIRE(port > 0);
  CHECK(post_with_key(port, new_uuid4()).status == 201);
}

TEST_CASE("Redis serve: a malformed Redis URL exits 2 naming what is wrong", "[redis][cli]") {
  const auto r = run_process(
      {IDEMCTL_BINARY, "serve", "--listen", "127.0.0.1:0", "--store", "redis://bad:url:x"},
      std::chrono::seconds(20));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(count_lines(r.out + r.err) == 1);
  CHECK_THAT(r.err, Catch::Contains("port 'url:x'"));
}

TEST_CASE("Redis serve: two serve processes on one Redis execute spread duplicates once",
          "[redis][cli][concurrency]") {
  const std::string url = shared_redis_url();
  const std::string prefix = "idem-test:" + new_owner_token() + ":";
  auto a = serve_on(url, {"--redis-prefix", prefix, "--handler-delay", "50ms"});
  auto b = serve_on(url, {"--redis-prefix", prefix, "--handler-delay", "50ms"});
  const int ports[2] = {a->wait_for_port(), b->wait_for_port()};
  REQUIRE(ports[0] > 0);
  REQUIRE(ports[1] > 0);
  constexpr int kRounds = 20;
  const int rounds_ok = run_duplicate_rounds(
      kRounds, 16, [&](int i) { return ports[i % 2]; },
      [&](const std::string& key) { return executions(ports[0], key) + executions(ports[1], key); });
  CHECK(rounds_ok == kRounds);
  a->signal(SIGTERM);
  b->signal(SIGTERM);
  CHECK(a->wait(std::chrono::seconds(10)) == 0);
  CHECK(b->wait(std::chrono::seconds(10)) == 0);
}
