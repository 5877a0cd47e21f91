// The guarded-exchange pipeline without HTTP: a MemoryStore behind a FaultyStore, executors
// that count, throw or break the store, and a request log read back as text.
#include "idem/server/exchange_pipeline.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "idem/store/faulty_store.hpp"
#include "idem/store/memory_store.hpp"

using namespace idem;

namespace {

const std::string kKey = "0f8fad5b-d9cb-469f-a165-70867728950e";

struct Fixture {
  FakeClock clock;
  std::unique_ptr<FaultyStore> store =
      std::make_unique<FaultyStore>(std::make_unique<MemoryStore>(clock));
  ServerConfig config;
  Guard guard{config.guard, *store};
  ExecutionLog executions{std::chrono::hours(1), clock};
  ServerMetrics metrics;
  std::ostringstream log_text;
  RequestLog log{&log_text, LogFormat::Text};
  ExchangePipeline pipeline{config, guard, executions, metrics, log};
};

ExchangeRequest post(const std::string& key = kKey, std::string_view body = "{\"amount\":1}") {
  ExchangeRequest ex;
  ex.method = "POST";
  ex.path = "/payments";
  ex.target = "/payments";
  ex.body = body;
  if (!key.empty()) ex.key_lines.push_back(key);
  return ex;
}

}  // namespace

TEST_CASE("ExchangePipeline: a retry replays and the executor ran once", "[pipeline]") {
  Fixture f;
  int runs = 0;
  FunctionExecutor executor([&](const ExchangeRequest&) {
    ++runs;
    return HttpResponse{201, {{"Content-Type", "application/json"}}, "{\"id\":1}"};
  });
  const ExchangeResult first = f.pipeline.run(post(), executor);
  const ExchangeResult retry = f.pipeline.run(post(), executor);
  CHECK(runs == 1);
  CHECK(first.response.status == 201);
  CHECK(retry.response.status == 201);
  CHECK(find_header(retry.response.headers, "Idempotent-Replayed") == "true");
  CHECK(f.executions.count(scoped_record_key("", kKey)) == 1);
  CHECK(f.metrics.requests(Outcome::Executed) == 1);
  CHECK(f.metrics.requests(Outcome::Replayed) == 1);
  CHECK_THAT(f.log_text.str(), Catch::Contains("executed 201") && Catch::Contains("replayed 201"));
}

TEST_CASE("ExchangePipeline: an executor that throws is answered 500 and a retry runs again",
          "[pipeline]") {
  Fixture f;
  int runs = 0;
  FunctionExecutor executor([&](const ExchangeRequest&) -> HttpResponse {
    if (++runs == 1) throw std::runtime_error("boom");
    return HttpResponse{201, {}, "{}"};
  });
  CHECK(f.pipeline.run(post(), executor).response.status == 500);
  CHECK(f.pipeline.run(post(), executor).response.status == 201);
  CHECK(runs == 2);
}

TEST_CASE("ExchangePipeline: a release that fails after a throw is counted and logged",
          "[pipeline]") {
  Fixture f;
  FunctionExecutor executor([&](const ExchangeRequest&) -> HttpResponse {
    f.store->set_unavailable(true);
    throw std::runtime_error("boom");
  });
  CHECK(f.pipeline.run(post(), executor).response.status == 500);
  CHECK(f.metrics.store_write_failures() == 1);
  CHECK_THAT(f.log_text.str(), Catch::Contains("WARNING claim not released: injected store outage"));
}

TEST_CASE("ExchangePipeline: a claim that fails is answered 503, logged, and nothing runs",
          "[pipeline]") {
  Fixture f;
  f.store->set_unavailable(true);
  int runs = 0;
  FunctionExecutor executor([&](const ExchangeRequest&) {
    ++runs;
    return HttpResponse{201, {}, "{}"};
  });
  const ExchangeResult r = f.pipeline.run(post(), executor);
  CHECK(r.response.status == 503);
  CHECK(runs == 0);
  CHECK(f.metrics.requests(Outcome::StoreError) == 1);
  CHECK_THAT(f.log_text.str(), Catch::Contains("WARNING claim failed, answered 503"));
}

TEST_CASE("ExchangePipeline: a crash fault drops the connection and keeps the lock",
          "[pipeline]") {
  Fixture f;
  int drops = 0;
  int runs = 0;
  FunctionExecutor executor([&](const ExchangeRequest&) {
    ++runs;
    return HttpResponse{201, {}, "{}"};
  });
  ExchangeRequest ex = post();
  ex.fault = "crash";
  ex.drop_connection = [&] { return ++drops > 0; };
  CHECK_FALSE(f.pipeline.run(ex, executor).answered);
  CHECK(drops == 1);
  CHECK(runs == 0);
  CHECK(f.pipeline.run(post(), executor).response.status == 409);
}
