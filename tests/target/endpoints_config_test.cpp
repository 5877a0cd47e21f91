// A config's "endpoints": each endpoint laid over the top-level fields, the alternate path of
// endpoint-mismatch taken from another real endpoint, and the errors naming $.endpoints[i].
#include <catch2/catch.hpp>

#include "idem/target/target_spec.hpp"

using namespace idem;

TEST_CASE("Target config: endpoints take the top-level fields as defaults", "[target]") {
  const auto t = parse_target_config(R"({
    "targets": ["http://127.0.0.1:9"],
    "headers": {"Content-Type": "application/json", "Authorization": "Bearer top"},
    "failure_trigger": {"headers": {"X-Fault": "fail"}},
    "large_path": "/payments?pad=3000000",
    "executions": {"url": "/x?key={{key}}", "pointer": "/n"},
    "path": "/payments",
    "endpoints": [
      {"path": "/payments"},
      {"path": "/refunds", "body": {"amount": "{{n}}"}, "headers": {"Authorization": "Bearer r"}},
      {"method": "PATCH", "path": "/orders/7", "body": "{}",
       "failure_trigger": {"headers": {"X-Fault": "patch-fail"}},
       "executions": {"resource_id": "/order/id"}}
    ]})",
                                     "cfg.json", TargetSpec{});
  REQUIRE(t.ok());
  REQUIRE(t->endpoints.size() == 3);
  CHECK(t->endpoints[1].where == "cfg.json: $.endpoints[1]");
  const std::vector<TargetSpec> all = expand_endpoints(*t, t->endpoints);
  REQUIRE(all.size() == 3);
  CHECK(endpoint_label(all[0]) == "POST /payments");
  CHECK(endpoint_label(all[1]) == "POST /refunds");
  CHECK(endpoint_label(all[2]) == "PATCH /orders/7");
  // The defaults: base URLs, headers, triggers.
  for (const TargetSpec& e : all) CHECK(e.base_urls == std::vector<std::string>{"http://127.0.0.1:9"});
  CHECK(all[0].body == TargetSpec{}.body);
  CHECK(all[1].body == R"({"amount":"{{n}}"})");
  CHECK(find_header(all[1].headers, "Authorization") == "Bearer r");
  CHECK(find_header(all[1].headers, "Content-Type") == "application/json");
  CHECK(all[1].failure->headers.front().second == "fail");
  CHECK(all[2].failure->headers.front().second == "patch-fail");
  // Executions: counted by the top level's URL, except where an endpoint says otherwise.
  CHECK(all[1].count == CountMode::ExecutionsUrl);
  CHECK(all[1].executions_url == "/x?key={{key}}");
  CHECK(all[1].executions_pointer == "/n");
  CHECK(all[2].count == CountMode::ResourceId);
  CHECK(all[2].resource_id_pointer == "/order/id");
  // endpoint-mismatch: the other real endpoint of the same method; none for the only PATCH.
  CHECK(all[0].alternate_path == "/refunds");
  CHECK(all[1].alternate_path == "/payments");
  CHECK(all[2].alternate_path.empty());
  // The large path answers for its own endpoint only.
  CHECK(all[0].large_path == "/payments?pad=3000000");
  CHECK(all[1].large_path.empty());
}

TEST_CASE("Target config: a bad endpoint is named by its JSON path", "[target]") {
  const std::pair<const char*, const char*> bad[] = {
      {R"({"endpoints": []})", "cfg.json: $.endpoints: expected an array of endpoints"},
      {R"({"endpoints": [{"path": "/a"}, {"method": "POST"}]})",
       "cfg.json: $.endpoints[1]: expected a field 'path'"},
      {R"({"endpoints": [{"path": "a"}]})", "cfg.json: $.endpoints[0].path: expected a path"},
      {R"({"endpoints": [{"path": "/a", "targets": []}]})", "cfg.json: $.endpoints[0]"},
      {R"({"endpoints": [{"path": "/a", "executions": {"url": "/n"}}]})",
       "cfg.json: $.endpoints[0].executions.url: expected a URL template containing {{key}}"},
  };
  for (const auto& [text, message] : bad) {
    const auto t = parse_target_config(text, "cfg.json", TargetSpec{});
    INFO(text);
    REQUIRE_FALSE(t.ok());
    CHECK_THAT(t.error().message, Catch::StartsWith(message));
  }
  // At most kMaxEndpoints (256).
  std::string many = R"({"endpoints": [)";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + R"({"path": "/a"})";
  many += "]}";
  const auto t = parse_target_config(many, "cfg.json", TargetSpec{});
  REQUIRE_FALSE(t.ok());
  CHECK_THAT(t.error().message, Catch::Contains("at most 256 endpoints"));
}

TEST_CASE("expand_endpoints: without endpoints the description is the one endpoint",
          "[target]") {
  TargetSpec base;
  base.alternate_path = "/payments?alt";
  const auto all = expand_endpoints(base, {});
  REQUIRE(all.size() == 1);
  CHECK(all[0].alternate_path == "/payments?alt");
  // The top-level endpoint listed again keeps its own alternate when it has no sibling.
  Endpoint same;
  same.path = base.path;
  const auto one = expand_endpoints(base, {same});
  CHECK(one[0].alternate_path == "/payments?alt");
}
