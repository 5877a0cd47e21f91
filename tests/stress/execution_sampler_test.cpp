// The executions sampler against a real reference server: a key a no-lock server executed twice
// is seen while "the load runs" (the sampler is driven by hand here), keys not yet started are
// never read, and a run against a healthy server samples and finds nothing.
#include "stress/execution_sampler.hpp"

#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "idem/stress/engine.hpp"
#include "idem/target/execution_count.hpp"
#include "support/echo_server.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;
using idem::stress::ExecutionSampler;
using idem::stress::SampleSource;

namespace {

StressOptions options() {
  StressOptions o;
  auto profile = verify::builtin_profile("default");
  REQUIRE(profile.ok());
  o.profile = *profile;
  o.timeout = Millis{5000};
  return o;
}

TargetSpec target_of(const TestServer& server) {
  return reference_target({"http://127.0.0.1:" + std::to_string(server.port())}, Millis{10'000});
}

/// Sends `n` duplicates of one new key at once, as the first principal of `t` (the caller the
/// executions counter is read for); returns the key.
std::string burst_of(const TargetSpec& t, int n) {
  const std::string key = new_uuid4();
  ClientRequest r;
  r.url = t.base_urls.front() + t.path;
  r.headers = {{"Idempotency-Key", key}, {"Content-Type", "application/json"}};
  if (!t.principals.empty()) r.headers.emplace_back(t.scope_header, t.principals.front());
  r.body = kPaymentBody;
  const auto answers = send_burst(std::vector<ClientRequest>(static_cast<size_t>(n), r));
  for (const auto& a : answers) REQUIRE(a.ok());
  return key;
}

}  // namespace

TEST_CASE("ExecutionSampler: a key executed twice is flagged once, with when it was seen",
          "[stress]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoLock;
  config.handler_delay = Millis{100};  // the duplicates overlap: no-lock runs them all
  TestServer server(config);
  const TargetSpec t = target_of(server);
  const std::string doubled = burst_of(t, 4);
  HttpClient client;
  const auto counted = read_executions(client, t, doubled, 0, Millis{5000}, Millis{2000});
  REQUIRE(counted.ok());
  REQUIRE(*counted > 1);  // the premise
  const std::string unstarted = burst_of(t, 4);

  std::atomic<uint64_t> started{1};  // key 0 started, key 1 not yet
  SampleSource src;
  src.keys = {{0, &doubled}, {1, &unstarted}};
  src.started = &started;
  const StressOptions o = options();
  ExecutionSampler sampler(t, o, {src});
  REQUIRE(sampler.sample_once(0.5));
  REQUIRE(sampler.sample_once(0.7));  // key 0 again: key 1 is not started
  CHECK(sampler.result().samples == 2);
  CHECK(sampler.result().keys_over_once == 1);
  CHECK(sampler.result().first_over_once_s == 0.5);
  CHECK(sampler.live_over_once() == 1);
  CHECK(sampler.result().unreadable == 0);
}

TEST_CASE("ExecutionSampler: nothing started, nothing read", "[stress]") {
  TestServer server(quiet_config());
  const std::string key = new_uuid4();
  std::atomic<uint64_t> started{0};
  SampleSource src;
  src.keys = {{0, &key}};
  src.started = &started;
  const TargetSpec t = target_of(server);
  const StressOptions o = options();
  ExecutionSampler sampler(t, o, {src, SampleSource{{}, &started}});
  CHECK_FALSE(sampler.sample_once(0));
  CHECK(sampler.result().samples == 0);
}

TEST_CASE("Stress: a healthy server's executions are sampled during the load and hold",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = options();
  o.threads = 2;
  o.connections = 4;
  o.dups = 2;
  o.duration = Millis{1500};
  const std::atomic<bool> stop{false};
  auto r = run_stress(target_of(server), o, stop, {});
  REQUIRE(r.ok());
  const ExecutionSampling& es = r->executions_sampled;
  CHECK(es.sampled);
  CHECK(es.samples > 0);
  CHECK(es.unreadable == 0);
  CHECK(es.keys_over_once == 0);
  CHECK(es.first_over_once_s < 0);
  CHECK(r->violation_total() == 0);
}

TEST_CASE("ExecutionSampler: a counter that never answers is counted unreadable and not waited for",
          "[stress]") {
  EchoServer echo;
  TestServer server(quiet_config());
  TargetSpec t = target_of(server);
  t.executions_url = echo.url("/hold");  // answers only when released
  const std::string key = new_uuid4();
  std::atomic<uint64_t> started{1};
  SampleSource src;
  src.keys = {{0, &key}};
  src.started = &started;
  StressOptions o = options();
  o.timeout = Millis{60'000};  // the sampler's own cap applies, not this
  ExecutionSampler sampler(t, o, {src});
  REQUIRE(sampler.sample_once(0));
  echo.release_held();
  CHECK(sampler.result().samples == 1);
  CHECK(sampler.result().unreadable == 1);
  CHECK(sampler.result().keys_over_once == 0);
}
