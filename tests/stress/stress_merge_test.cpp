// Reading stress reports back and merging segments: a report survives write -> read exactly
// (histograms included), a merge equals one histogram of every sample, series align by start
// time, incompatible inputs are refused naming the file, and hostile JSON (truncated, garbage,
// huge numbers, deep nesting, out-of-range buckets) is an error naming file and place.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "idem/stress/stress_merge.hpp"
#include "idem/stress/stress_writers.hpp"

using namespace idem;

namespace {

struct Sample {
  StressReport report;
  std::vector<int64_t> values;
};

/// A report of `n` answered first sends with random latencies, over `seconds` seconds.
Sample make_report(uint64_t seed, int n, int seconds, int64_t start_unix_us, SegmentInfo segment) {
  std::mt19937_64 rng(seed);
  Sample s;
  StressReport& r = s.report;
  r.targets = {"http://127.0.0.1:8080"};
  r.model = "closed";
  r.threads = 2;
  r.connections = 4;
  r.pattern = "burst";
  r.profile = "default";
  r.count_mode = "body-identity";
  r.start_unix_us = start_unix_us;
  r.segment = segment;
  r.elapsed_seconds = seconds;
  r.seconds.resize(static_cast<size_t>(seconds));
  r.second_counts.resize(static_cast<size_t>(seconds));
  std::vector<Histogram> per_second(static_cast<size_t>(seconds));
  for (int i = 0; i < n; ++i) {
    const int64_t v = static_cast<int64_t>(rng() % 200'000) + 50;
    const auto sec = static_cast<size_t>(i % seconds);
    s.values.push_back(v);
    r.latency.record(v);
    r.latency_by_kind[0].record(v);
    per_second[sec].record(v);
    auto& x = r.seconds[sec];
    ++x.sent;
    ++x.answered;
    x.latency_max_us = std::max(x.latency_max_us, v);
    x.latency_sum_us += static_cast<double>(v);
  }
  for (size_t sec = 0; sec < per_second.size(); ++sec) {
    r.second_counts[sec].by_kind[0] = per_second[sec].nonzero_counts();
  }
  r.sent = r.answered = static_cast<uint64_t>(n);
  r.keys_started = static_cast<uint64_t>(n);
  r.statuses[201] = static_cast<uint64_t>(n);
  r.outcomes.executed = static_cast<uint64_t>(n);
  r.invariants[0] = {true, "", static_cast<uint64_t>(n)};
  r.violations[1].count = 1;
  r.violations[1].examples.push_back({"k", "first", "a replay differed", "POST /", "HTTP/1.1 200",
                                      "curl ...", 0.5});
  r.thresholds.push_back({"p99<50ms", false, "p99 = 198ms"});
  return s;
}

std::string json_of(const StressReport& r) {
  std::ostringstream out;
  write_stress_json(r, out);
  return out.str();
}

}  // namespace

TEST_CASE("stress merge: a report read back from its JSON is the report that was written",
          "[stress][merge]") {
  const Sample s = make_report(1, 5000, 3, 1'700'000'000'000'000, {1, 3});
  auto back = read_stress_json(json_of(s.report), "a.json");
  REQUIRE(back);
  const StressReport& r = *back;
  CHECK(r.sent == 5000);
  CHECK(r.segment.index == 1);
  CHECK(r.segment.count == 3);
  CHECK(r.start_unix_us == 1'700'000'000'000'000);
  CHECK(r.latency.counts() == s.report.latency.counts());
  CHECK(r.latency.min() == s.report.latency.min());
  CHECK(r.latency.max() == s.report.latency.max());
  CHECK(r.latency.mean() == Approx(s.report.latency.mean()));
  CHECK(r.latency_by_kind[0].total() == 5000);
  REQUIRE(r.second_counts.size() == 3);
  CHECK(r.second_counts[2].by_kind[0] == s.report.second_counts[2].by_kind[0]);
  CHECK(r.violations[1].count == 1);
  REQUIRE(r.violations[1].examples.size() == 1);
  CHECK(r.violations[1].examples[0].detail == "a replay differed");
  REQUIRE(r.thresholds.size() == 1);
  CHECK(r.thresholds[0].expression == "p99<50ms");
  // Nothing else lost or changed on the way (the per-second means are rebuilt from sums, so they
  // are compared above through the counts instead).
  auto again = nlohmann::json::parse(json_of(r));
  auto first = nlohmann::json::parse(json_of(s.report));
  again.erase("seconds");
  first.erase("seconds");
  CHECK(again == first);
}

TEST_CASE("stress merge: merged histograms equal one histogram of every sample", "[stress][merge]") {
  const Sample a = make_report(2, 4000, 3, 1'700'000'000'000'000, {0, 3});
  const Sample b = make_report(3, 7000, 3, 1'700'000'002'000'000, {1, 3});  // 2 s later
  const Sample c = make_report(4, 100, 1, 1'700'000'000'400'000, {2, 3});
  auto m = merge_stress_reports({a.report, b.report, c.report}, {"a", "b", "c"});
  REQUIRE(m);
  Histogram all;
  for (const auto* s : {&a, &b, &c}) {
    for (const int64_t v : s->values) all.record(v);
  }
  CHECK(m->sent == 11100);
  CHECK(m->outcomes.executed == 11100);
  CHECK(m->statuses.at(201) == 11100);
  for (const double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    INFO(p);
    CHECK(m->latency.value_at_percentile(p) == all.value_at_percentile(p));
  }
  CHECK(m->latency.min() == all.min());
  CHECK(m->latency.max() == all.max());
  CHECK(m->latency.mean() == Approx(all.mean()));
  CHECK(m->violations[1].count == 3);
  CHECK(m->violations[1].examples.size() == 3);
  CHECK(m->elapsed_seconds == Approx(5.0));
  // b's first second is the merged run's third; c's (0.4 s later) rounds to the first.
  REQUIRE(m->seconds.size() == 5);
  CHECK(m->seconds[0].sent == a.report.seconds[0].sent + c.report.seconds[0].sent);
  CHECK(m->seconds[2].sent == a.report.seconds[2].sent + b.report.seconds[0].sent);
  CHECK(m->seconds[4].sent == b.report.seconds[2].sent);
  Histogram third;
  for (const auto& [i, n] : a.report.second_counts[2].by_kind[0]) third.add_counts(i, n);
  for (const auto& [i, n] : b.report.second_counts[0].by_kind[0]) third.add_counts(i, n);
  CHECK(m->seconds[2].latency_p99_us ==
        std::min(m->seconds[2].latency_max_us, third.value_at_percentile(99)));
  REQUIRE(m->thresholds.size() == 1);
  CHECK(m->thresholds[0].expression == "p99<50ms");
  CHECK(m->merged_from == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("stress merge: reports that are not parts of one run are refused naming the file",
          "[stress][merge]") {
  const Sample a = make_report(5, 10, 1, 1'000'000, {0, 2});
  Sample b = make_report(6, 10, 1, 1'000'000, {1, 2});
  SECTION("another target") {
    b.report.targets = {"http://127.0.0.1:9999"};
    auto m = merge_stress_reports({a.report, b.report}, {"a.json", "b.json"});
    REQUIRE_FALSE(m);
    CHECK_THAT(m.error().message, Catch::StartsWith("b.json: config.targets"));
  }
  SECTION("the same segment twice") {
    auto m = merge_stress_reports({a.report, a.report}, {"a.json", "a2.json"});
    REQUIRE_FALSE(m);
    CHECK_THAT(m.error().message, Catch::Contains("a2.json") && Catch::Contains("twice"));
  }
  SECTION("another split") {
    b.report.segment = {1, 3};
    auto m = merge_stress_reports({a.report, b.report}, {"a.json", "b.json"});
    REQUIRE_FALSE(m);
    CHECK_THAT(m.error().message, Catch::Contains("b.json") && Catch::Contains("another split"));
  }
  SECTION("a missing segment is a warning") {
    auto m = merge_stress_reports({a.report}, {"a.json"});
    REQUIRE(m);
    REQUIRE_FALSE(m->warnings.empty());
    CHECK_THAT(m->warnings.back(), Catch::Contains("segments 1 of 2 are missing"));
  }
}

TEST_CASE("stress merge: the reader refuses hostile JSON with the file and the place",
          "[stress][merge]") {
  const std::string good = json_of(make_report(7, 300, 2, 1'000'000, {0, 1}).report);
  REQUIRE(read_stress_json(good, "x.json"));
  SECTION("truncated anywhere") {
    for (size_t n = 0; n < good.size(); n += std::max<size_t>(1, good.size() / 300)) {
      const auto r = read_stress_json(good.substr(0, n), "x.json");
      INFO(n);
      REQUIRE_FALSE(r);
      CHECK_THAT(r.error().message, Catch::StartsWith("x.json: line "));
    }
  }
  SECTION("garbage names its line and column") {
    const auto r = read_stress_json("{\n  \"schema\": nope\n}", "g.json");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::StartsWith("g.json: line 2, column 1"));
  }
  SECTION("deep nesting") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    CHECK_FALSE(read_stress_json(deep, "deep.json"));
  }
  const auto with = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return read_stress_json(text, "h.json");
  };
  SECTION("another schema version") {
    const auto r = with("\"schema_version\": 1", "\"schema_version\": 2");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("h.json: schema_version 2: expected 1"));
  }
  SECTION("huge and negative numbers") {
    for (const std::string bad : {"1e400", "18446744073709551616", "-1", "1.5", "\"7\""}) {
      INFO(bad);
      const auto r = with("\"sent\": 300", "\"sent\": " + bad);
      REQUIRE_FALSE(r);
      CHECK_THAT(r.error().message, Catch::Contains("h.json:"));
    }
  }
  SECTION("a bucket outside the layout, counts out of order, a total that does not add up") {
    const size_t at = good.find("\"counts\": [");
    REQUIRE(at != std::string::npos);
    for (const std::string bad : {"\"counts\": [[99999, 1], ", "\"counts\": [[-1, 1], ",
                                  "\"counts\": [[0, 0], ", "\"counts\": [[3000, 1], [1, 1], ",
                                  "\"counts\": [[0, 18446744073709551615], "}) {
      std::string text = good;
      text.replace(at, std::string("\"counts\": [").size(), bad);
      const auto r = read_stress_json(text, "h.json");
      INFO(bad);
      REQUIRE_FALSE(r);
      CHECK_THAT(r.error().message, Catch::Contains("h.json: histograms."));
    }
  }
  SECTION("an old report without histograms") {
    std::string text = good;
    const auto r = with("\"histograms\"", "\"histograms_x\"");
    REQUIRE_FALSE(r);
    CHECK_THAT(r.error().message, Catch::Contains("cannot be merged"));
  }
}

TEST_CASE("stress merge: a file larger than the limit is refused before it is parsed",
          "[stress][merge]") {
  const std::string path = "/tmp/idemctl-merge-limit-" + std::to_string(::getpid()) + ".json";
  { std::ofstream(path) << std::string(4096, ' ') << "{}"; }
  const auto r = read_stress_json_file(path, 1024);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::Contains("larger than 1024 bytes"));
  const auto missing = read_stress_json_file(path + ".none");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("cannot be read"));
  std::remove(path.c_str());
}

TEST_CASE("stress merge: the segments' rates and stages add up to the whole run's",
          "[stress][merge]") {
  Sample a = make_report(8, 10, 1, 1'000'000, {0, 2});
  Sample b = make_report(9, 10, 1, 1'000'000, {1, 2});
  for (Sample* s : {&a, &b}) {
    s->report.model = "open";
    s->report.rate = 250;
    s->report.stages = {"10s:500", "5s:1000"};
  }
  auto m = merge_stress_reports({a.report, b.report}, {"a", "b"});
  REQUIRE(m);
  CHECK(m->rate == 500);
  CHECK(m->stages == std::vector<std::string>{"10s:1000", "5s:2000"});
  CHECK(m->threads == 4);
  CHECK(m->connections == 8);
}
