// The server on a bounded memory store: a new key beyond --max-records is refused with 503
// store-full before the handler runs; replays and in-flight keys keep working.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/key.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

constexpr size_t kMaxRecords = 3;

}  // namespace

TEST_CASE("Server: beyond --max-records a new key is 503 store-full and the handler does not run",
          "[server][bound]") {
  FakeClock clock;
  ServerConfig config = quiet_config();
  config.guard.ttl = std::chrono::seconds(60);
  TestServer ts(config, std::make_unique<MemoryStore>(clock, MemoryStoreLimits{kMaxRecords}),
                clock);
  std::vector<std::string> keys;
  for (size_t i = 0; i < kMaxRecords; ++i) {
    keys.push_back(new_uuid4());
    REQUIRE(post_with_key(ts.port(), keys.back()).status == 201);
  }
  const long long executed = ts.server().executions().total();
  REQUIRE(executed == static_cast<long long>(kMaxRecords));

  const std::string refused_key = new_uuid4();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Exchange refused = post_with_key(ts.port(), refused_key);
    CHECK(refused.status == 503);
    CHECK(refused.header("Content-Type") == "application/problem+json");
    CHECK(refused.header("Retry-After").has_value());
    CHECK(nlohmann::json::parse(refused.body).at("type") == "/problems/store-full");
  }
  CHECK(ts.server().executions().total() == executed);
  CHECK(ts.executions(refused_key) == 0);

  for (const std::string& key : keys) {  // replays are still served from the full store
    const Exchange replay = post_with_key(ts.port(), key);
    CHECK(replay.status == 201);
    CHECK(replay.header("Idempotent-Replayed") == "true");
  }
  CHECK(ts.server().executions().total() == executed);

  const Exchange metrics = send(ts.port(), "GET", "/metrics");
  CHECK(metrics.body.find("idem_requests_total{outcome=\"store_full\"} 2") != std::string::npos);
  const Exchange health = send(ts.port(), "GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(nlohmann::json::parse(health.body).at("store_full_refusals") == 2);
  const auto stats = nlohmann::json::parse(send(ts.port(), "GET", "/__idem/stats").body);
  CHECK(stats.at("max_records") == kMaxRecords);
  CHECK(stats.at("requests").at("store_full") == 2);

  clock.advance(std::chrono::seconds(60));  // the records expire: their room is free again
  const Exchange admitted = post_with_key(ts.port(), refused_key);
  CHECK(admitted.status == 201);
  CHECK(ts.executions(refused_key) == 1);
}
