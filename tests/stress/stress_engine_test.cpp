// The stress engine against real reference servers on loopback: a healthy server (memory and
// Redis) shows no violation whatever the mix, each observable --bug mode shows its invariant
// violated by name, the counts add up, and the open model holds its rate.
#include <catch2/catch.hpp>
#include <cmath>

#include "idem/key.hpp"
#include "idem/stress/engine.hpp"
#include "support/redis_process.hpp"
#include "support/redis_servers.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

StressOptions short_run(long long keys, int dups) {
  StressOptions o;
  o.threads = 2;
  o.connections = 16;
  o.keys = keys;
  o.dups = dups;
  o.duration = Millis{20'000};  // a bound; the keys end the run first
  o.timeout = Millis{5000};
  auto profile = verify::builtin_profile("default");
  REQUIRE(profile.ok());
  o.profile = *profile;
  return o;
}

StressReport stress(TestServer& server, const StressOptions& o) {
  const TargetSpec t =
      reference_target({"http://127.0.0.1:" + std::to_string(server.port())}, Millis{10'000});
  const std::atomic<bool> stop{false};
  auto r = run_stress(t, o, stop, {});
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

uint64_t violations(const StressReport& r, Invariant i) {
  return r.violations[static_cast<size_t>(i)].count;
}

std::string tally(const StressReport& r) {
  std::string out = "sent " + std::to_string(r.sent) + " answered " + std::to_string(r.answered);
  for (int i = 0; i < kInvariants; ++i) {
    const auto& v = r.violations[static_cast<size_t>(i)];
    out += "\n" + std::string(to_string(static_cast<Invariant>(i))) + ": " +
           std::to_string(v.count) + (v.examples.empty() ? "" : " e.g. " + v.examples[0].detail);
  }
  for (const auto& [status, n] : r.statuses) out += "\n" + std::to_string(status) + " x" + std::to_string(n);
  return out;
}

void check_healthy(const StressReport& r) {
  INFO(tally(r));
  CHECK(r.violation_total() == 0);
  CHECK(r.unfinished == 0);
  CHECK(r.sent == r.answered + r.transport_error_total());
  for (int i = 0; i < kInvariants; ++i) {
    INFO(to_string(static_cast<Invariant>(i)) << ": " << r.invariants[static_cast<size_t>(i)].reason);
    CHECK(r.invariants[static_cast<size_t>(i)].checked);
  }
}

StressMix full_mix() {
  StressMix m;
  m.missing_key = 0.05;
  m.invalid_key = 0.05;
  m.mismatch = 0.05;
  m.failure = 0.05;
  m.lost_response = 0.05;
  return m;
}

}  // namespace

TEST_CASE("Stress: a healthy memory server shows no violation under bursts with every mix",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(600, 4);
  o.mix = full_mix();
  const StressReport r = stress(server, o);
  check_healthy(r);
  CHECK(r.outcomes.replayed + r.outcomes.conflict > 0);
  CHECK(r.outcomes.lost_injected > 0);
  CHECK(r.outcomes.failed_injected > 0);
  CHECK(r.keys_started == 600);
}

TEST_CASE("Stress: a healthy server shows no violation with the retry and stagger patterns",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(200, 3);
  o.mix = full_mix();
  o.pattern = StressPattern::Retry;
  check_healthy(stress(server, o));
  o.pattern = StressPattern::Stagger;
  o.stagger = Millis{2};
  check_healthy(stress(server, o));
}

TEST_CASE("Stress: a healthy Redis-backed server shows no violation under bursts",
          "[stress][redis]") {
  TestServer server(quiet_config(),
                    open_redis_store(shared_redis_url(), "idem-stress:" + new_owner_token() + ":"));
  StressOptions o = short_run(300, 4);
  o.mix = full_mix();
  check_healthy(stress(server, o));
}

TEST_CASE("Stress: each observable bug mode violates its invariant by name", "[stress][bugs]") {
  struct Case {
    BugMode bug;
    Invariant expected;
    Millis delay;
    StressPattern pattern;
    StressMix mix;
  };
  StressMix failure, missing, mismatch;
  failure.failure = 0.3;
  missing.missing_key = 0.3;
  mismatch.mismatch = 0.3;
  const Case cases[] = {
      {BugMode::NoLock, Invariant::ExactlyOnce, Millis{20}, StressPattern::Burst, {}},
      {BugMode::NoReplay, Invariant::ExactlyOnce, Millis{0}, StressPattern::Stagger, {}},
      {BugMode::ReplayAs200, Invariant::ReplayIdentical, Millis{0}, StressPattern::Stagger, {}},
      {BugMode::Cache5xx, Invariant::NoUnexpected5xx, Millis{0}, StressPattern::Burst, failure},
      {BugMode::KeyOptional, Invariant::KeyRequired, Millis{0}, StressPattern::Burst, missing},
      {BugMode::FingerprintIgnored, Invariant::MismatchRefused, Millis{0}, StressPattern::Burst,
       mismatch},
  };
  for (const Case& c : cases) {
    DYNAMIC_SECTION(to_string(c.bug)) {
      ServerConfig config = quiet_config();
      config.guard.bug = c.bug;
      config.handler_delay = c.delay;
      TestServer server(config);
      StressOptions o = short_run(60, 4);
      o.pattern = c.pattern;
      o.stagger = Millis{5};
      o.mix = c.mix;
      const StressReport r = stress(server, o);
      INFO(tally(r));
      CHECK(violations(r, c.expected) > 0);
      const auto& examples = r.violations[static_cast<size_t>(c.expected)].examples;
      REQUIRE_FALSE(examples.empty());
      CHECK(examples.size() <= kMaxViolationExamples);
      CHECK(examples[0].curl.starts_with("curl "));
      CHECK(!r.passed());
    }
  }
}

TEST_CASE("Stress: invariants without their premise are reported as not checked", "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(50, 1);
  const StressReport r = stress(server, o);
  CHECK(r.violation_total() == 0);
  CHECK_FALSE(r.invariants[static_cast<size_t>(Invariant::ReplayIdentical)].checked);
  CHECK_FALSE(r.invariants[static_cast<size_t>(Invariant::KeyRequired)].checked);
  CHECK_FALSE(r.invariants[static_cast<size_t>(Invariant::MismatchRefused)].checked);
  CHECK(r.invariants[static_cast<size_t>(Invariant::ExactlyOnce)].checked);
  CHECK(r.invariants[static_cast<size_t>(Invariant::ReplayIdentical)].reason.find("--dups") !=
        std::string::npos);
}

TEST_CASE("Stress: without an executions counter, identical bodies make exactly-once uncheckable",
          "[stress]") {
  // The reference server's bodies differ per execution (a fresh payment id); a body template
  // and a target that ignores it cannot be told apart, so use a target description that counts
  // by body identity against a path answering the same body to every key.
  TestServer server(quiet_config());
  TargetSpec t = reference_target({"http://127.0.0.1:" + std::to_string(server.port())}, Millis{0});
  t.count = CountMode::BodyIdentity;
  t.path = "/healthz";
  t.method = "GET";
  StressOptions o = short_run(20, 2);
  const std::atomic<bool> stop{false};
  auto r = run_stress(t, o, stop, {});
  REQUIRE(r.ok());
  const auto& once = r->invariants[static_cast<size_t>(Invariant::ExactlyOnce)];
  INFO(tally(*r));
  CHECK_FALSE(once.checked);
  CHECK(once.reason.find("identical") != std::string::npos);
}

TEST_CASE("Stress: the open model holds its rate within 5% on a target that keeps up",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(0, 1);
  o.keys = 0;
  o.rate = 400;
  o.duration = Millis{2000};
  o.connections = 64;  // enough that a slow answer on a loaded machine never holds back a send
  const StressReport r = stress(server, o);
  const double achieved = static_cast<double>(r.sent) / r.elapsed_seconds;
  INFO("achieved " << achieved << " req/s over " << r.elapsed_seconds << " s; " << tally(r));
  CHECK(std::abs(achieved - 400) / 400 < 0.05);
  CHECK(r.corrected_latency.total() == r.answered);
  CHECK(r.violation_total() == 0);
}

TEST_CASE("Stress: stages ramp the open model's rate", "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(0, 1);
  o.keys = 0;
  o.stages = {RateStage{Millis{1000}, 300}, RateStage{Millis{1000}, 300}};
  o.duration = Millis{2000};
  const StressReport r = stress(server, o);
  // 0 -> 300 req/s over the first second (150 sends), then 300 for one second. A loaded machine
  // can stop the run a few ms late or early: 10%.
  INFO(tally(r) << "\nelapsed " << r.elapsed_seconds);
  CHECK(static_cast<double>(r.sent) == Approx(450).epsilon(0.10));
  REQUIRE(r.seconds.size() >= 2);
  CHECK(r.seconds[0].sent < r.seconds[1].sent);
}

TEST_CASE("Stress: -n bounds the sends and the counts add up", "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(0, 2);
  o.keys = 0;
  o.requests = 500;
  const StressReport r = stress(server, o);
  CHECK(r.sent == 500);
  CHECK(r.sent == r.answered + r.transport_error_total() + r.unfinished);
  uint64_t by_status = 0;
  for (const auto& [status, n] : r.statuses) by_status += n;
  CHECK(by_status == r.answered);
  CHECK(r.latency.total() == r.answered);
}

TEST_CASE("Stress: every second of the series carries ordered latency percentiles", "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(0, 1);
  o.keys = 0;
  o.duration = Millis{2500};
  o.connections = 4;
  const StressReport r = stress(server, o);
  INFO(tally(r));
  REQUIRE(r.seconds.size() >= 2);
  uint64_t answered = 0;
  for (size_t s = 0; s < r.seconds.size(); ++s) {
    const SecondSample& x = r.seconds[s];
    INFO("second " << s << ": p50 " << x.latency_p50_us << " p90 " << x.latency_p90_us << " p99 "
                   << x.latency_p99_us << " max " << x.latency_max_us);
    answered += x.answered;
    if (x.answered == 0) {
      CHECK(x.latency_p99_us == 0);
      continue;
    }
    CHECK(x.latency_p50_us > 0);
    CHECK(x.latency_p50_us <= x.latency_p90_us);
    CHECK(x.latency_p90_us <= x.latency_p99_us);
    CHECK(x.latency_p99_us <= x.latency_max_us);
    // The mean lies between the smallest and the largest answer of the second.
    CHECK(x.latency_sum_us / static_cast<double>(x.answered) <= static_cast<double>(x.latency_max_us));
  }
  CHECK(answered == r.answered);
  // Merged over the threads: the run's p99 cannot exceed the largest second's p99 bucket.
  int64_t worst = 0;
  for (const auto& x : r.seconds) worst = std::max(worst, x.latency_max_us);
  CHECK(r.latency.value_at_percentile(99) <= Histogram::highest_equivalent(worst));
}

TEST_CASE("Stress: keys bounded by --keys or -n are all rendered before the clock starts",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(120, 2);
  StressReport r = stress(server, o);
  INFO(tally(r));
  CHECK(r.keys_started == 120);
  CHECK(r.keys_prepared == 120);
  CHECK(r.keys_prepared_in_run == 0);

  StressOptions n = short_run(0, 1);
  n.requests = 300;
  r = stress(server, n);
  CHECK(r.sent == 300);
  CHECK(r.keys_prepared_in_run == 0);
  CHECK(r.keys_prepared >= r.keys_started);
}

TEST_CASE("Stress: an open-ended run beyond the prepared keys renders the rest and says so",
          "[stress]") {
  TestServer server(quiet_config());
  StressOptions o = short_run(0, 1);
  o.requests = 400;
  o.max_prepared_keys = 25;  // per thread
  const StressReport r = stress(server, o);
  INFO(tally(r));
  CHECK(r.keys_prepared == 50);
  CHECK(r.keys_prepared + r.keys_prepared_idle + r.keys_prepared_in_run >= r.keys_started);
  CHECK(r.keys_prepared_idle + r.keys_prepared_in_run > 0);
  CHECK(r.violation_total() == 0);
}

TEST_CASE("Stress: an open-ended run prepares a stock of keys and renders more while it idles",
          "[stress]") {
  ServerConfig config = quiet_config();
  config.handler_delay = Millis{5};  // the loop waits for answers: time to top up
  TestServer server(config);
  StressOptions o = short_run(0, 1);
  o.duration = Millis{1500};
  o.connections = 4;
  o.prepared_ahead = 10;  // per thread
  const StressReport r = stress(server, o);
  INFO(tally(r));
  CHECK(r.keys_prepared == 20);
  REQUIRE(r.keys_started > 20);  // the premise: the stock was used up and refilled
  CHECK(r.keys_prepared_idle > 0);
  CHECK(r.keys_prepared + r.keys_prepared_idle + r.keys_prepared_in_run >= r.keys_started);
  // Rendered ahead while idle, the stock never ran dry on a target this slow.
  CHECK(r.keys_prepared_in_run == 0);
  CHECK(r.violation_total() == 0);
}

TEST_CASE("Stress: counting by resource id judges exactly-once without an executions URL",
          "[stress]") {
  const auto run = [](BugMode bug) {
    ServerConfig config = quiet_config();
    config.guard.bug = bug;
    TestServer server(config);
    TargetSpec t =
        reference_target({"http://127.0.0.1:" + std::to_string(server.port())}, Millis{10'000});
    t.count = CountMode::ResourceId;
    t.resource_id_pointer = "/id";
    StressOptions o = short_run(60, 4);
    o.pattern = StressPattern::Stagger;
    o.stagger = Millis{5};
    const std::atomic<bool> stop{false};
    auto r = run_stress(t, o, stop, {});
    REQUIRE(r.ok());
    return *r;
  };
  const StressReport healthy = run(BugMode::None);
  INFO(tally(healthy));
  CHECK(healthy.violation_total() == 0);
  CHECK(healthy.invariants[static_cast<size_t>(Invariant::ExactlyOnce)].checked);
  CHECK(healthy.count_mode == "resource-id");
  // no-replay executes every repeat again: each one creates another payment id.
  const StressReport buggy = run(BugMode::NoReplay);
  INFO(tally(buggy));
  CHECK(violations(buggy, Invariant::ExactlyOnce) > 0);
}
