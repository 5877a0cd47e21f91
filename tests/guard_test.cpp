// The guard's state machine, row by row (docs/semantics.md), without HTTP: MemoryStore on a
// FakeClock, so lock and record expiry are exact.
#include "idem/guard.hpp"

#include <catch2/catch.hpp>

#include "idem/store/faulty_store.hpp"
#include "idem/store/memory_store.hpp"

using namespace idem;
using Action = Decision::Action;

namespace {

const std::string kKey = "0f8fad5b-d9cb-469f-a165-70867728950e";

// Views in a GuardRequest point at the arguments: pass literals or strings that outlive it.
GuardRequest post(std::string_view body = "{\"amount\":1}", const std::string& key = kKey,
                  std::string_view target = "/payments", std::string_view scope = "") {
  GuardRequest r{"POST", target, body, {}, scope};
  if (!key.empty()) r.key_lines.push_back(key);
  return r;
}

struct Fixture {
  explicit Fixture(GuardConfig config = {}) : store(clock), guard(std::move(config), store) {}
  FakeClock clock;
  MemoryStore store;
  Guard guard;

  // Runs a request to completion with a handler answering `status`.
  Decision execute(const GuardRequest& r, int status = 201) {
    Decision d = guard.begin(r);
    if (d.action == Action::Execute) {
      (void)guard.finish(d.ticket, HttpResponse{status,
                                                {{"Content-Type", "application/json"},
                                                 {"Location", "/payments/1"},
                                                 {"Set-Cookie", "s=1"}},
                                                "{\"id\":1}"});
    }
    return d;
  }
};

}  // namespace

TEST_CASE("Guard: each row of the semantics table", "[guard]") {
  struct Row {
    std::string name;
    std::function<Decision(Fixture&)> run;
    Action action;
    Outcome outcome;
    int status;  // 0 when the handler runs
  };
  const std::vector<Row> rows = {
      {"unguarded method passes through",
       [](Fixture& f) { return f.guard.begin(GuardRequest{"GET", "/payments/1", "", {kKey}, ""}); },
       Action::Execute, Outcome::Passed, 0},
      {"guarded method without key is 400",
       [](Fixture& f) { return f.guard.begin(post("{}", "")); }, Action::Respond,
       Outcome::Rejected, 400},
      {"invalid key is 400",
       [](Fixture& f) { return f.guard.begin(post("{}", "not-a-uuid")); }, Action::Respond,
       Outcome::Rejected, 400},
      {"new key executes", [](Fixture& f) { return f.guard.begin(post()); }, Action::Execute,
       Outcome::Executed, 0},
      {"completed key replays",
       [](Fixture& f) {
         f.execute(post());
         return f.guard.begin(post());
       },
       Action::Respond, Outcome::Replayed, 201},
      {"in-flight key is 409",
       [](Fixture& f) {
         (void)f.guard.begin(post());
         return f.guard.begin(post());
       },
       Action::Respond, Outcome::Conflict, 409},
      {"another body with a completed key is 422",
       [](Fixture& f) {
         f.execute(post());
         return f.guard.begin(post("{\"amount\":2}"));
       },
       Action::Respond, Outcome::Mismatch, 422},
      {"another body with an in-flight key is 422",
       [](Fixture& f) {
         (void)f.guard.begin(post());
         return f.guard.begin(post("{\"amount\":2}"));
       },
       Action::Respond, Outcome::Mismatch, 422},
      {"another endpoint with the same key is 422",
       [](Fixture& f) {
         f.execute(post());
         return f.guard.begin(post("{\"amount\":1}", kKey, "/refunds"));
       },
       Action::Respond, Outcome::Mismatch, 422},
      {"an expired lock is taken over",
       [](Fixture& f) {
         (void)f.guard.begin(post());
         f.clock.advance(std::chrono::seconds(30));
         return f.guard.begin(post());
       },
       Action::Execute, Outcome::Executed, 0},
      {"a 5xx answer is not stored, so a retry executes",
       [](Fixture& f) {
         f.execute(post(), 503);
         return f.guard.begin(post());
       },
       Action::Execute, Outcome::Executed, 0},
      {"a 4xx answer is stored and replayed",
       [](Fixture& f) {
         f.execute(post(), 400);
         return f.guard.begin(post());
       },
       Action::Respond, Outcome::Replayed, 400},
      {"another caller with the same key executes independently",
       [](Fixture& f) {
         f.execute(post("{\"amount\":1}", kKey, "/payments", "Bearer a"));
         return f.guard.begin(post("{\"amount\":1}", kKey, "/payments", "Bearer b"));
       },
       Action::Execute, Outcome::Executed, 0},
      {"a record expires after the TTL and the key executes again",
       [](Fixture& f) {
         f.execute(post());
         f.clock.advance(std::chrono::hours(1));
         return f.guard.begin(post());
       },
       Action::Execute, Outcome::Executed, 0},
  };
  for (const Row& row : rows) {
    SECTION(row.name) {
      Fixture f;
      const Decision d = row.run(f);
      CHECK(d.action == row.action);
      CHECK(d.outcome == row.outcome);
      if (row.status != 0) CHECK(d.response.status == row.status);
    }
  }
}

TEST_CASE("Guard: a record is alive one millisecond before its TTL and gone at it", "[guard]") {
  Fixture f;
  f.execute(post());
  f.clock.advance(std::chrono::hours(1) - std::chrono::milliseconds(1));
  CHECK(f.guard.begin(post()).outcome == Outcome::Replayed);
  f.clock.advance(std::chrono::milliseconds(1));
  CHECK(f.guard.begin(post()).outcome == Outcome::Executed);
}

TEST_CASE("Guard: a replay keeps status, body and resource headers, never Set-Cookie", "[guard]") {
  Fixture f;
  f.execute(post());
  const Decision d = f.guard.begin(post());
  REQUIRE(d.outcome == Outcome::Replayed);
  CHECK(d.response.status == 201);
  CHECK(d.response.body == "{\"id\":1}");
  CHECK(find_header(d.response.headers, "Location") == "/payments/1");
  CHECK(find_header(d.response.headers, "Content-Type") == "application/json");
  CHECK(find_header(d.response.headers, "Idempotent-Replayed") == "true");
  CHECK_FALSE(find_header(d.response.headers, "Set-Cookie"));
}

TEST_CASE("Guard: a 409 carries Retry-After rounded up from the lock's remaining time",
          "[guard]") {
  Fixture f;
  (void)f.guard.begin(post());
  f.clock.advance(std::chrono::milliseconds(27'500));
  const Decision d = f.guard.begin(post());
  REQUIRE(d.outcome == Outcome::Conflict);
  CHECK(find_header(d.response.headers, "Retry-After") == "3");
  CHECK(find_header(d.response.headers, "Content-Type") == "application/problem+json");
}

TEST_CASE("Guard: --cache-5xx stores handler failures; --no-cache-4xx does not store 4xx",
          "[guard]") {
  GuardConfig c;
  c.cache_5xx = true;
  c.cache_4xx = false;
  Fixture f(c);
  f.execute(post(), 500);
  CHECK(f.guard.begin(post()).outcome == Outcome::Replayed);
  const std::string other = "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b";
  f.execute(post("{}", other), 409);
  CHECK(f.guard.begin(post("{}", other)).outcome == Outcome::Executed);
}

TEST_CASE("Guard: a handler that threw releases the key", "[guard]") {
  Fixture f;
  const Decision d = f.guard.begin(post());
  REQUIRE(d.action == Action::Execute);
  CHECK(f.guard.abandon(d.ticket).released);
  CHECK(f.guard.begin(post()).outcome == Outcome::Executed);
}

TEST_CASE("Guard: the JSON fingerprint ignores key order and whitespace", "[guard]") {
  GuardConfig c;
  c.fingerprint = FingerprintMode::Json;
  Fixture f(c);
  f.execute(post(R"({"amount":1,"currency":"EUR"})"));
  CHECK(f.guard.begin(post(R"({ "currency": "EUR",  "amount": 1 })")).outcome ==
        Outcome::Replayed);
  CHECK(f.guard.begin(post(R"({"currency":"EUR","amount":2})")).outcome == Outcome::Mismatch);
}

TEST_CASE("Guard: a store outage fails closed with 503 and Retry-After", "[guard]") {
  FaultyStore store(std::make_unique<MemoryStore>());
  Guard guard(GuardConfig{}, store);
  store.set_unavailable(true);
  const Decision d = guard.begin(post());
  CHECK(d.action == Action::Respond);
  CHECK(d.outcome == Outcome::StoreError);
  CHECK(d.response.status == 503);
  CHECK(find_header(d.response.headers, "Retry-After"));
}

TEST_CASE("Guard: a late finish after the lock was taken over is reported, not stored",
          "[guard]") {
  Fixture f;
  const Decision first = f.guard.begin(post());
  f.clock.advance(std::chrono::seconds(31));
  const Decision second = f.guard.begin(post());
  REQUIRE(second.outcome == Outcome::Executed);
  const FinishResult late = f.guard.finish(first.ticket, HttpResponse{201, {}, "late"});
  CHECK_FALSE(late.stored);
  REQUIRE(late.store_error);
  CHECK(late.store_error->code == ErrorCode::Conflict);
}

TEST_CASE("Guard: two header lines and a quoted key", "[guard]") {
  Fixture f;
  GuardRequest twice = post();
  twice.key_lines.push_back(kKey);
  CHECK(f.guard.begin(twice).outcome == Outcome::Rejected);
  f.execute(post());
  CHECK(f.guard.begin(post("{\"amount\":1}", "\"" + kKey + "\"")).outcome == Outcome::Replayed);
}

TEST_CASE("Guard: the caller's scoped key survives the unscoped-keys bug, for counting",
          "[guard]") {
  GuardConfig c;
  c.bug = BugMode::UnscopedKeys;
  Fixture f(c);
  const Decision alice = f.guard.begin(post("{\"amount\":1}", kKey, "/payments", "Bearer alice"));
  REQUIRE(alice.outcome == Outcome::Executed);
  CHECK(alice.scoped_key == scoped_record_key("Bearer alice", kKey));
  CHECK(alice.ticket.record_key == scoped_record_key("", kKey));
  Fixture healthy;
  const Decision d = healthy.guard.begin(post("{\"amount\":1}", kKey, "/payments", "Bearer alice"));
  CHECK(d.ticket.record_key == d.scoped_key);
}
