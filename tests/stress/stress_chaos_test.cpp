// stress --chaos: every send through the in-process chaos proxy against real reference servers.
// A healthy server recovers every lost answer on retry with no violation; a server that never
// replays, or one without a lock behind duplicate-forward, is caught by the proxy's journal even
// where the client saw only one answer per key.
#include <catch2/catch.hpp>

#include "idem/stress/engine.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

StressOptions chaos_run(long long keys, const std::vector<std::string>& specs) {
  StressOptions o;
  o.threads = 2;
  o.connections = 8;
  o.keys = keys;
  o.dups = 1;
  o.pattern = StressPattern::Retry;
  o.duration = Millis{30'000};  // a bound; the keys end the run first
  o.timeout = Millis{5000};
  o.profile = verify::builtin_profile("default").value();
  auto rules = chaos::parse_fault_rules(specs);
  REQUIRE(rules.ok());
  o.chaos = *rules;
  o.chaos_seed = 5;
  return o;
}

StressReport run(TestServer& server, const StressOptions& o, CountMode count) {
  TargetSpec t =
      reference_target({"http://127.0.0.1:" + std::to_string(server.port())}, Millis{10'000});
  t.count = count;
  const std::atomic<bool> stop{false};
  auto r = run_stress(t, o, stop, {});
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

uint64_t once_violations(const StressReport& r) {
  return r.violations[static_cast<size_t>(Invariant::ExactlyOnce)].count;
}

}  // namespace

TEST_CASE("stress --chaos: a healthy server recovers every lost first answer on retry",
          "[stress][chaos]") {
  for (const std::string loss : {"close", "reset", "truncate"}) {
    INFO(loss);
    TestServer server(quiet_config());
    const StressReport r =
        run(server, chaos_run(200, {"drop-response=" + loss + ",first-attempt-per-key"}),
            CountMode::ExecutionsUrl);
    CHECK(r.violation_total() == 0);
    CHECK(r.chaos.enabled);
    CHECK(r.chaos.keys_lost == 200);
    CHECK(r.chaos.keys_recovered == 200);
    CHECK(r.chaos.keys_executed_twice == 0);
    CHECK(r.outcomes.lost_injected == 200);
    CHECK(r.outcomes.replayed == 200);  // every retry was a replay of the lost execution
    CHECK(r.outcomes.executed == 0);
    CHECK(r.invariants[static_cast<size_t>(Invariant::ExactlyOnce)].checked);
  }
}

TEST_CASE("stress --chaos: injected 503s are retried, not judged as the target's 5xx",
          "[stress][chaos]") {
  TestServer server(quiet_config());
  const StressReport r =
      run(server, chaos_run(200, {"replace-status=503,first-attempt-per-key", "delay-request=1ms,p=0.5"}),
          CountMode::ExecutionsUrl);
  CHECK(r.violation_total() == 0);
  CHECK(r.outcomes.server_error == 0);
  CHECK(r.chaos.injected_answers == 200);
  CHECK(r.chaos.keys_recovered == 200);
  CHECK(r.statuses.at(503) == 200);
  CHECK(r.invariants[static_cast<size_t>(Invariant::NoUnexpected5xx)].checked);
}

TEST_CASE("stress --chaos: the journal catches a server that never replays, by body alone",
          "[stress][chaos]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoReplay;
  TestServer server(config);
  // No executions counter: the client sees one 2xx per key (the first answer was lost), so
  // only the upstream's two different bodies in the journal tell.
  const StressReport r = run(server, chaos_run(50, {"drop-response,first-attempt-per-key"}),
                             CountMode::BodyIdentity);
  CHECK(r.chaos.keys_executed_twice == 50);
  CHECK(once_violations(r) == 50);
  const auto& examples = r.violations[static_cast<size_t>(Invariant::ExactlyOnce)].examples;
  REQUIRE_FALSE(examples.empty());
  CHECK(examples[0].kind == "chaos-journal");
  CHECK_FALSE(r.passed());
}

TEST_CASE("stress --chaos: with an executions counter too, each double execution counts once",
          "[stress][chaos]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoReplay;
  TestServer server(config);
  const StressReport r = run(server, chaos_run(50, {"drop-response,first-attempt-per-key"}),
                             CountMode::ExecutionsUrl);
  CHECK(r.chaos.keys_executed_twice == 50);
  CHECK(once_violations(r) == 50);
}

TEST_CASE("stress --chaos: duplicate-forward in front of a server without a lock",
          "[stress][chaos]") {
  ServerConfig config = quiet_config();
  config.guard.bug = BugMode::NoLock;
  config.handler_delay = Millis{100};
  TestServer server(config);
  const StressReport r =
      run(server, chaos_run(40, {"duplicate-forward"}), CountMode::BodyIdentity);
  CHECK(r.chaos.keys_executed_twice == 40);
  CHECK(once_violations(r) == 40);

  TestServer healthy([] {
    ServerConfig c = quiet_config();
    c.handler_delay = Millis{100};
    return c;
  }());
  const StressReport ok = run(healthy, chaos_run(40, {"duplicate-forward"}), CountMode::BodyIdentity);
  CHECK(ok.violation_total() == 0);
  CHECK(ok.chaos.keys_executed_twice == 0);
}
