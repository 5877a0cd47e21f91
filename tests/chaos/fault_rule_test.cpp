// The fault SPEC grammar and the RuleSet's selection: what is accepted, what each error names,
// and which requests each selection option picks.
#include "idem/chaos/fault_rule.hpp"

#include <catch2/catch.hpp>

#include "idem/chaos/rule_set.hpp"

using namespace idem;
using namespace idem::chaos;

namespace {

FaultRule parsed(std::string_view spec) {
  auto r = parse_fault_rule(spec);
  INFO(spec << ": " << (r ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

std::string error_of(std::string_view spec) {
  auto r = parse_fault_rule(spec);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::InvalidArgument);
  return r.error().message;
}

RequestFacts post(std::string_view key, std::string_view path = "/payments") {
  return RequestFacts{"POST", path, nullptr, key};
}

}  // namespace

TEST_CASE("Fault spec: every fault with its argument", "[chaos][parse]") {
  CHECK(parsed("drop-response").loss == LossMode::Close);
  CHECK(parsed("drop-response=reset").loss == LossMode::Reset);
  CHECK(parsed("drop-response=hang").loss == LossMode::Hang);
  CHECK(parsed("drop-response=truncate").loss == LossMode::Truncate);
  CHECK(parsed("replace-status=504").status == 504);
  CHECK(parsed("abort").status == 503);
  CHECK(parsed("abort=429").status == 429);
  const FaultRule d = parsed("delay-response=250ms,jitter=50ms");
  CHECK(d.kind == FaultKind::DelayResponse);
  CHECK(d.delay == Millis{250});
  CHECK(d.jitter == Millis{50});
  CHECK(parsed("duplicate-forward").kind == FaultKind::DuplicateForward);
  CHECK(parsed("drop-response").terminal());
  CHECK_FALSE(parsed("delay-request=1s").terminal());
}

TEST_CASE("Fault spec: selection options, and to_spec gives the same rule back", "[chaos][parse]") {
  const FaultRule r = parsed(
      "drop-response=reset,p=0.25,every=3,first-attempt-per-key,method=POST,path=/pay,"
      "header=X-Tenant:a=b");
  CHECK(r.probability == 0.25);
  CHECK(r.every == 3);
  CHECK(r.first_attempt_per_key);
  CHECK(r.method == "POST");
  CHECK(r.path_prefix == "/pay");
  CHECK(r.header_name == "X-Tenant");
  CHECK(r.header_value == "a=b");
  CHECK(to_spec(r) == to_spec(parsed(to_spec(r))));
  CHECK(to_spec(parsed(to_spec(r))) ==
        "drop-response=reset,p=0.25,every=3,first-attempt-per-key,method=POST,path=/pay,"
        "header=X-Tenant:a=b");
  CHECK(fault_name(r) == "drop-response=reset");
  CHECK(fault_name(parsed("delay-request=2s")) == "delay-request=2s");
}

TEST_CASE("Fault spec: defaults apply unless the spec sets its own", "[chaos][parse]") {
  RuleDefaults defaults;
  defaults.first_attempt_per_key = true;
  defaults.probability = 0.5;
  auto r = parse_fault_rule("replace-status=503,p=1", defaults);
  REQUIRE(r.ok());
  CHECK(r->first_attempt_per_key);
  CHECK(r->probability == 1.0);
  CHECK(r->kind == FaultKind::ReplaceStatus);
}

TEST_CASE("Fault spec: each bad part is named with what was expected", "[chaos][parse]") {
  CHECK_THAT(error_of("explode"), Catch::Contains("'explode': expected a fault"));
  CHECK_THAT(error_of("replace-status=418"),
             Catch::Contains("'replace-status=418': expected replace-status=502, 503 or 504"));
  CHECK_THAT(error_of("abort=200"), Catch::Contains("status from 400 to 599"));
  CHECK_THAT(error_of("drop-response=later"), Catch::Contains("close|reset|hang|truncate"));
  CHECK_THAT(error_of("delay-request"), Catch::Contains("delay-request=DURATION"));
  CHECK_THAT(error_of("delay-request=soon"), Catch::Contains("a duration"));
  CHECK_THAT(error_of("delay-request=2m"), Catch::Contains("at most 1m"));
  CHECK_THAT(error_of("delay-request=50s,jitter=20s"), Catch::Contains("at most 1m"));
  CHECK_THAT(error_of("drop-response,jitter=5ms"), Catch::Contains("only on a delay"));
  CHECK_THAT(error_of("drop-response,p=1.5"), Catch::Contains("'p=1.5': expected p=PROBABILITY"));
  CHECK_THAT(error_of("drop-response,p=nan"), Catch::Contains("'p=nan'"));
  CHECK_THAT(error_of("drop-response,every=0"), Catch::Contains("'every=0'"));
  CHECK_THAT(error_of("drop-response,every=-1"), Catch::Contains("'every=-1'"));
  CHECK_THAT(error_of("drop-response,path=pay"), Catch::Contains("starting with '/'"));
  CHECK_THAT(error_of("drop-response,header=Bad Name"), Catch::Contains("header=NAME"));
  CHECK_THAT(error_of("drop-response,method="), Catch::Contains("'method=': expected method=VALUE"));
  CHECK_THAT(error_of("drop-response,colour=red"), Catch::Contains("'colour=red': expected an option"));
  CHECK_THAT(error_of("drop-response,"), Catch::Contains("''"));
  CHECK_THAT(error_of("duplicate-forward=2"), Catch::Contains("without a value"));
  CHECK_THAT(error_of(std::string(kMaxSpecLength + 1, 'a')), Catch::Contains("at most 1024"));
  CHECK_THAT(parse_fault_rules(std::vector<std::string>(kMaxRules + 1, "abort")).error().message,
             Catch::Contains("at most 64 fault rules"));
}

TEST_CASE("RuleSet: first-attempt-per-key faults each key once, never a keyless request",
          "[chaos]") {
  RuleSet rules({parsed("drop-response,first-attempt-per-key")}, 1);
  CHECK(rules.decide(post("k1")).terminal);
  CHECK_FALSE(rules.decide(post("k1")).terminal);
  CHECK_FALSE(rules.decide(post("k1")).terminal);
  CHECK(rules.decide(post("k2")).terminal);
  CHECK_FALSE(rules.decide(post("")).terminal);
  const auto c = rules.counters();
  REQUIRE(c.size() == 1);
  CHECK(c[0].matched == 5);
  CHECK(c[0].applied == 2);
}

TEST_CASE("RuleSet: every=N picks the Nth, 2Nth ... candidate", "[chaos]") {
  RuleSet rules({parsed("abort,every=3")}, 1);
  std::vector<bool> picked;
  for (int i = 0; i < 9; ++i) picked.push_back(rules.decide(post("k")).terminal.has_value());
  CHECK(picked == std::vector<bool>{false, false, true, false, false, true, false, false, true});
}

TEST_CASE("RuleSet: method, path prefix and header filters", "[chaos]") {
  RuleSet rules({parsed("abort,method=post,path=/pay,header=X-Tenant:blue")}, 1);
  const HeaderList blue = {{"x-tenant", "blue"}};
  const HeaderList red = {{"X-Tenant", "red"}};
  CHECK(rules.decide(RequestFacts{"POST", "/payments", &blue, ""}).terminal);
  CHECK_FALSE(rules.decide(RequestFacts{"GET", "/payments", &blue, ""}).terminal);
  CHECK_FALSE(rules.decide(RequestFacts{"POST", "/refunds", &blue, ""}).terminal);
  CHECK_FALSE(rules.decide(RequestFacts{"POST", "/payments", &red, ""}).terminal);
  CHECK_FALSE(rules.decide(RequestFacts{"POST", "/payments", nullptr, ""}).terminal);
}

TEST_CASE("RuleSet: a probability is honoured and the same seed repeats the same choices",
          "[chaos]") {
  const auto choices = [](uint64_t seed) {
    RuleSet rules({parse_fault_rule("abort,p=0.3").value()}, seed);
    std::vector<bool> out;
    for (int i = 0; i < 2000; ++i) out.push_back(rules.decide(post("k")).terminal.has_value());
    return out;
  };
  const std::vector<bool> a = choices(42);
  CHECK(a == choices(42));
  CHECK(a != choices(43));
  const auto hits = std::count(a.begin(), a.end(), true);
  // 2000 draws at p = 0.3: 600 expected, sd 20.5; 5 sd either way.
  CHECK(hits > 500);
  CHECK(hits < 700);
}

TEST_CASE("RuleSet: faults combine, delays add up, one terminal fault per request", "[chaos]") {
  RuleSet rules({parsed("delay-request=100ms"), parsed("delay-request=50ms"),
                 parsed("replace-status=503"), parsed("drop-response"),
                 parsed("duplicate-forward"), parsed("delay-response=10ms")},
                7);
  const Decision d = rules.decide(post("k"));
  CHECK(d.delay_request == Millis{150});
  CHECK(d.delay_response == Millis{10});
  CHECK(d.duplicate_forward);
  REQUIRE(d.terminal);
  CHECK(d.terminal->kind == FaultKind::ReplaceStatus);
  CHECK(d.applied == std::vector<std::string>{"delay-request=100ms", "delay-request=50ms",
                                              "replace-status=503", "duplicate-forward",
                                              "delay-response=10ms"});
  CHECK(rules.counters()[3].applied == 0);  // the second terminal rule did not apply
}

TEST_CASE("RuleSet: jitter stays within its bound and varies", "[chaos]") {
  RuleSet rules({parsed("delay-request=10ms,jitter=20ms")}, 3);
  Millis low{1'000'000}, high{0};
  for (int i = 0; i < 200; ++i) {
    const Millis d = rules.decide(post("k")).delay_request;
    low = std::min(low, d);
    high = std::max(high, d);
  }
  CHECK(low >= Millis{10});
  CHECK(high <= Millis{30});
  CHECK(high > low);
}
