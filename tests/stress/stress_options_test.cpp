#include <catch2/catch.hpp>

#include "idem/client/http_client.hpp"
#include "idem/stress/stress_options.hpp"
#include "idem/stress/threshold.hpp"

using namespace idem;

TEST_CASE("Stress options: a mix reads percentages and fractions and rejects the rest",
          "[stress]") {
  auto m = parse_mix("missing-key=1%,invalid-key=0.5%,mismatch=0.02,failure=5%,lost-response=2%");
  REQUIRE(m.ok());
  CHECK(m->missing_key == Approx(0.01));
  CHECK(m->invalid_key == Approx(0.005));
  CHECK(m->mismatch == Approx(0.02));
  CHECK(m->failure == Approx(0.05));
  CHECK(m->lost_response == Approx(0.02));
  for (const char* bad : {"typo=1%", "failure=", "failure=-1%", "failure=101%", "failure=x",
                          "failure=60%,mismatch=60%"}) {
    INFO(bad);
    auto r = parse_mix(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.starts_with("--mix: "));
  }
}

TEST_CASE("Stress options: stages and patterns parse, and an unbounded run is refused",
          "[stress]") {
  auto s = parse_stage("10s:500");
  REQUIRE(s.ok());
  CHECK(s->duration == Millis{10'000});
  CHECK(s->rate == 500);
  CHECK_FALSE(parse_stage("10s").ok());
  CHECK_FALSE(parse_stage("0s:5").ok());
  StressOptions o;
  REQUIRE(parse_pattern("stagger=20ms", o).ok());
  CHECK(o.pattern == StressPattern::Stagger);
  CHECK(o.stagger == Millis{20});
  CHECK_FALSE(parse_pattern("stagger=", o).ok());
  CHECK_FALSE(parse_pattern("sometimes", o).ok());
  StressOptions unbounded;
  CHECK_FALSE(validate_options(unbounded).ok());
  unbounded.keys = 10;
  CHECK(validate_options(unbounded).ok());
  unbounded.connections = 1;  // fewer connections than threads
  CHECK_FALSE(validate_options(unbounded).ok());
}

TEST_CASE("Thresholds: latency, error and rate limits are judged on the report", "[stress]") {
  StressReport r;
  r.model = "closed";
  for (int i = 1; i <= 100; ++i) r.latency.record(i * 1000);  // 1..100 ms
  r.sent = 1000;
  r.answered = 990;
  r.transport_errors[static_cast<size_t>(TransportError::Timeout)] = 10;
  r.elapsed_seconds = 2;
  const auto judge = [&](const std::string& text) {
    auto t = parse_threshold(text);
    INFO(text);
    REQUIRE(t.ok());
    return evaluate_threshold(*t, r);
  };
  CHECK(judge("p99<100ms").passed);
  CHECK_FALSE(judge("p99<50ms").passed);
  CHECK(judge("p50<=51ms").passed);  // HDR: the highest value equivalent to 50 ms
  CHECK(judge("max<=100ms").passed);
  CHECK_FALSE(judge("errors<0.1%").passed);  // 10 of 1000 = 1%
  CHECK(judge("errors<=1%").passed);
  CHECK(judge("errors<11").passed);
  CHECK(judge("rps>400").passed);  // 990 / 2 s
  CHECK_FALSE(judge("rps>500").passed);
  CHECK(judge("p99<50ms").actual == "p99 = 99.01ms");
  for (const char* bad : {"p99", "p99<", "p99<50", "p0<1ms", "p101<1ms", "latency<1ms", "rps>x"}) {
    INFO(bad);
    CHECK_FALSE(parse_threshold(bad).ok());
  }
}
