// The reference server's second guarded resource (POST /refunds) and its own OpenAPI document
// (GET /openapi.json), over real HTTP.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/key.hpp"
#include "idem/openapi/openapi_import.hpp"
#include "idem/server/refunds.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::test;

namespace {

const std::string kRefund = R"({"payment_id":"pay_1","amount":500})";

}  // namespace

TEST_CASE("Refunds: POST /refunds is guarded: one execution, a replay, 422 for another body",
          "[server][refunds]") {
  TestServer server(quiet_config());
  const std::string key = new_uuid4();
  const Exchange first = post_with_key(server.port(), key, kRefund, "/refunds");
  REQUIRE(first.status == 201);
  const auto refund = nlohmann::json::parse(first.body);
  CHECK(refund["id"].get<std::string>().starts_with("re_"));
  CHECK(refund["reason"] == "requested_by_customer");
  CHECK(first.header("Location") == "/refunds/" + refund["id"].get<std::string>());
  const Exchange replay = post_with_key(server.port(), key, kRefund, "/refunds");
  CHECK(replay.status == 201);
  CHECK(replay.body == first.body);
  CHECK(replay.header("Idempotent-Replayed") == "true");
  CHECK(server.executions(key) == 1);
  CHECK(post_with_key(server.port(), key, R"({"payment_id":"pay_1","amount":7})", "/refunds")
            .status == 422);
  CHECK(send(server.port(), "POST", "/refunds", {{"Content-Type", "application/json"}}, kRefund)
            .status == 400);  // no key
  const Exchange read = send(server.port(), "GET", *first.header("Location"));
  CHECK(read.status == 200);
  CHECK(read.body == first.body);
}

TEST_CASE("Refunds: malformed bodies are 400 naming the field", "[server][refunds]") {
  RefundsApp app;
  CHECK(app.create("[]").status == 400);
  CHECK_THAT(app.create(R"({"amount":5})").body, Catch::Contains("payment_id"));
  CHECK_THAT(app.create(R"({"payment_id":"p","amount":0})").body, Catch::Contains("amount"));
  CHECK_THAT(app.create(R"({"payment_id":"p","amount":1,"reason":"bored"})").body,
             Catch::Contains("reason"));
  CHECK(app.create(R"({"payment_id":"p","amount":1,"reason":"duplicate"})").status == 201);
  CHECK(app.get("re_nope").status == 404);
}

TEST_CASE("Refunds: beyond the cap the oldest refund is forgotten", "[server][refunds]") {
  FakeClock clock;
  RefundsApp app(std::chrono::hours(1), 2, clock);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(nlohmann::json::parse(app.create(kRefund).body)["id"].get<std::string>());
  }
  CHECK(app.size() == 2);
  CHECK(app.get(ids[0]).status == 404);
  CHECK(app.get(ids[2]).status == 200);
  clock.advance(std::chrono::hours(1));
  CHECK(app.get(ids[2]).status == 404);  // retention
}

TEST_CASE("OpenAPI: GET /openapi.json describes the guarded routes with the key header and "
          "examples, and imports as two endpoints",
          "[server][openapi]") {
  ServerConfig config = quiet_config();
  config.guard.key_header = "X-Request-Key";
  TestServer server(config);
  const Exchange doc = send(server.port(), "GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  CHECK(doc.header("Content-Type") == "application/json");
  const auto j = nlohmann::json::parse(doc.body);
  CHECK(j["openapi"] == "3.0.3");
  CHECK(j["servers"][0]["url"] == "http://127.0.0.1:" + std::to_string(server.port()));
  CHECK(j["components"]["parameters"]["IdempotencyKey"]["name"] == "X-Request-Key");
  CHECK(j["paths"]["/refunds"]["post"]["requestBody"]["content"]["application/json"].contains(
      "example"));
  CHECK(j["paths"]["/payments"]["post"]["responses"].contains("422"));

  OpenApiOptions o;
  o.key_header = "X-Request-Key";
  const auto in = import_openapi(doc.body, "openapi.json", o);
  REQUIRE(in.ok());
  REQUIRE(in->endpoints.size() == 2);
  CHECK(in->skipped.empty());
  CHECK(in->endpoints[0].path == "/payments");
  CHECK(*in->endpoints[0].body == R"({"amount":{{n}},"currency":"EUR"})");
  CHECK(in->endpoints[1].path == "/refunds");
  CHECK(*in->endpoints[1].body ==
        R"({"payment_id":"pay_00000000000000000000000000000000","amount":{{n}},)"
        R"("reason":"requested_by_customer"})");
}

TEST_CASE("OpenAPI: a server that guards no POST documents its routes without the key header",
          "[server][openapi]") {
  ServerConfig config = quiet_config();
  config.guard.methods = {"PATCH"};
  TestServer server(config);
  const auto j = nlohmann::json::parse(send(server.port(), "GET", "/openapi.json").body);
  CHECK_FALSE(j["paths"]["/payments"]["post"].contains("parameters"));
  const auto in = import_openapi(j.dump(), "openapi.json", {});
  REQUIRE(in.ok());
  CHECK(in->endpoints.empty());
  CHECK(in->skipped.size() == 2);  // both listed as not guarded
}
