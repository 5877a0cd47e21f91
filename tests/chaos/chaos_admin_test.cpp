// The chaos admin API over real HTTP: list, atomic replace (all or nothing), counters, reset,
// metrics.
#include "idem/chaos/chaos_admin.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/client/http_client.hpp"
#include "idem/key.hpp"
#include "support/test_server.hpp"

using namespace idem;
using namespace idem::chaos;
using namespace idem::test;

namespace {

ClientResponse call(const std::string& method, const std::string& url,
                    const std::string& body = "") {
  HttpClient client;
  ClientRequest r;
  r.method = method;
  r.url = url;
  r.body = body;
  if (!body.empty()) r.headers = {{"Content-Type", "application/json"}};
  return client.send(r);
}

}  // namespace

TEST_CASE("chaos admin: list, replace, counters, reset and metrics", "[chaos][admin]") {
  TestServer ts(quiet_config());
  ChaosOptions o;
  o.upstream = "http://127.0.0.1:" + std::to_string(ts.port());
  o.rules = parse_fault_rules({"abort=503,path=/payments"}).value();
  ChaosProxy proxy(o);
  REQUIRE(proxy.start().ok());
  ChaosAdmin admin(proxy, "127.0.0.1", 0);
  REQUIRE(admin.start().ok());
  const std::string api = admin.base_url();

  const ClientResponse listed = call("GET", api + "/rules");
  REQUIRE(listed.ok());
  CHECK(nlohmann::json::parse(listed.response.body)["rules"] ==
        nlohmann::json::array({"abort=503,path=/payments"}));

  ClientRequest pay;
  pay.url = proxy.base_url() + "/payments";
  pay.headers = {{"Idempotency-Key", new_uuid4()}};
  pay.body = kPaymentBody;
  HttpClient client;
  CHECK(client.send(pay).response.status == 503);

  // A bad rule anywhere in the list: 400 naming it, and the old rules stay.
  const ClientResponse bad =
      call("PUT", api + "/rules", R"({"rules": ["replace-status=504", "replace-status=418"]})");
  REQUIRE(bad.ok());
  CHECK(bad.response.status == 400);
  CHECK_THAT(bad.response.body, Catch::Contains("$.rules[1]"));
  CHECK_THAT(bad.response.body, Catch::Contains("replace-status=418"));
  CHECK(proxy.rules().size() == 1);
  CHECK(proxy.rules()[0].kind == FaultKind::Abort);

  const ClientResponse replaced =
      call("PUT", api + "/rules", R"({"rules": ["replace-status=504,every=2"]})");
  REQUIRE(replaced.ok());
  CHECK(replaced.response.status == 200);
  pay.headers = {{"Idempotency-Key", new_uuid4()}};
  CHECK(client.send(pay).response.status == 201);
  pay.headers = {{"Idempotency-Key", new_uuid4()}};
  CHECK(client.send(pay).response.status == 504);

  const auto counters = nlohmann::json::parse(call("GET", api + "/counters").response.body);
  CHECK(counters["requests"] == 3);
  CHECK(counters["faulted"] == 2);
  CHECK(counters["lost"] == 1);
  CHECK(counters["rules"][0]["rule"] == "replace-status=504,every=2");
  CHECK(counters["rules"][0]["matched"] == 2);
  CHECK(counters["rules"][0]["applied"] == 1);

  const ClientResponse metrics = call("GET", api + "/metrics");
  REQUIRE(metrics.ok());
  CHECK_THAT(metrics.response.body, Catch::Contains("idemctl_chaos_requests_total 3\n"));
  CHECK_THAT(metrics.response.body,
             Catch::Contains(
                 "idemctl_chaos_rule_applied_total{rule=\"0\",fault=\"replace-status=504\"} 1\n"));

  CHECK(call("POST", api + "/reset").response.status == 204);
  CHECK(nlohmann::json::parse(call("GET", api + "/counters").response.body)["requests"] == 0);
  // The rules survive a reset; their every=2 count starts again.
  pay.headers = {{"Idempotency-Key", new_uuid4()}};
  CHECK(client.send(pay).response.status == 201);
}

TEST_CASE("chaos admin: rule documents that are not a list of specs are refused by path",
          "[chaos][admin]") {
  CHECK_THAT(parse_rules_document("not json").error().message, Catch::Contains("$: expected"));
  CHECK_THAT(parse_rules_document("[]").error().message, Catch::Contains("\"rules\" member"));
  CHECK_THAT(parse_rules_document(R"({"rules": "abort"})").error().message,
             Catch::Contains("$.rules: expected an array"));
  CHECK_THAT(parse_rules_document(R"({"rules": [1]})").error().message,
             Catch::Contains("$.rules[0]: expected a fault spec string"));
  std::string many = R"({"rules": [)";
  for (size_t i = 0; i <= kMaxRules; ++i) many += std::string(i ? "," : "") + "\"abort\"";
  CHECK_THAT(parse_rules_document(many + "]}").error().message, Catch::Contains("at most 64"));
  CHECK_THAT(parse_rules_document(std::string(kMaxAdminBody + 1, ' ')).error().message,
             Catch::Contains("at most 65536 bytes"));
  REQUIRE(parse_rules_document(R"({"rules": []})").ok());
  CHECK(parse_rules_document(R"({"rules": []})")->empty());
}
