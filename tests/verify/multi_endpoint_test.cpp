// The real binary verifying several endpoints of one service in one run (#13): the reference
// server's own OpenAPI document round-trips through --openapi, a three-endpoint service with
// one broken endpoint fails exactly that endpoint's checks (from a config and from OpenAPI),
// and a YAML document gives the same run as its JSON twin.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "support/process.hpp"
#include "support/test_server.hpp"
#include "support/toy_target.hpp"
#include "verify/verify_fixture.hpp"

using namespace idem;
using namespace idem::test;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("idem-multi-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ProcessResult run_verify_cli(std::vector<std::string> args) {
  args.insert(args.begin(), {IDEMCTL_BINARY, "verify", "--rounds", std::to_string(kTestRounds)});
  return run_process(args, std::chrono::seconds(240));
}

// (endpoint, check id) of every check that failed or errored.
std::set<std::pair<std::string, std::string>> failures(const nlohmann::json& report) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& c : report["checks"]) {
    if (c["verdict"] == "FAIL" || c["verdict"] == "ERROR") out.emplace(c["endpoint"], c["id"]);
  }
  return out;
}

size_t occurrences(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

// A service of three guarded endpoints whose POST /orders has no lock (check-then-set).
ToyTargetOptions one_broken_endpoint() {
  GuardConfig guard;
  guard.lock_ttl = kTestLockTtl;
  GuardConfig broken = guard;
  broken.bug = BugMode::NoLock;
  ToyTargetOptions o;
  o.guard = guard;
  o.orders_guard = broken;
  return o;
}

// What the toy's triggers, counter and callers are, as flags (--openapi documents say nothing
// of them).
std::vector<std::string> toy_flags(const ToyTarget& toy) {
  return {"--target",       toy.base_url(),       "--failure-header", "X-Fault: fail",
          "--slow-header",  "X-Fault: slow",      "--slow-delay",     "200ms",
          "--crash-header", "X-Fault: crash",     "--lock-ttl",       "2s",
          "--principal",    "Bearer a",           "--principal",      "Bearer b",
          "--executions-url", "/executions?key={{key}}"};
}

void check_only_orders_broken(const nlohmann::json& report) {
  const auto failed = failures(report);
  INFO(report["checks"].dump(1).substr(0, 20000));
  CHECK(failed.count({"POST /orders", "concurrent-duplicates"}) == 1);
  for (const auto& [endpoint, id] : failed) {
    INFO(endpoint << " " << id);
    CHECK(endpoint == "POST /orders");
  }
  REQUIRE(report["endpoints"].size() == 3);
  for (const auto& e : report["endpoints"]) {
    CHECK(e["passed"] == (e["endpoint"] != "POST /orders"));
  }
}

const char* kToyYaml = R"(openapi: 3.0.3
info:
  title: toy shop
  version: "1"
components:
  parameters:
    Key:
      name: Idempotency-Key
      in: header
      required: true
      schema: {type: string, format: uuid}
  schemas:
    Payment:
      type: object
      required: [amount, currency]
      properties:
        amount: {type: integer, minimum: 1}
        currency: {type: string, enum: [EUR, USD]}
paths:
  /payments:
    post:
      parameters: [{$ref: '#/components/parameters/Key'}]
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Payment'}
  /payments/{id}:
    get:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
  /refunds:
    post:
      parameters: [{$ref: '#/components/parameters/Key'}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [payment_id, amount]
              properties:
                payment_id: {type: string}
                amount: {type: integer}
            example: {payment_id: pay_1, amount: 5}
  /orders:
    post:
      x-idempotent: true
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [reference, lines]
              properties:
                reference: {type: string, format: uuid}
                lines:
                  type: array
                  minItems: 1
                  items: {type: object, required: [sku], properties: {sku: {type: string, enum: [A-1]}}}
)";

const char* kToyJson = R"({"openapi": "3.0.3", "info": {"title": "toy shop", "version": "1"},
  "components": {
    "parameters": {"Key": {"name": "Idempotency-Key", "in": "header", "required": true,
                           "schema": {"type": "string", "format": "uuid"}}},
    "schemas": {"Payment": {"type": "object", "required": ["amount", "currency"], "properties": {
      "amount": {"type": "integer", "minimum": 1},
      "currency": {"type": "string", "enum": ["EUR", "USD"]}}}}},
  "paths": {
    "/payments": {"post": {"parameters": [{"$ref": "#/components/parameters/Key"}],
      "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Payment"}}}}}},
    "/payments/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "required": true,
                                               "schema": {"type": "string"}}]}},
    "/refunds": {"post": {"parameters": [{"$ref": "#/components/parameters/Key"}],
      "requestBody": {"content": {"application/json": {
        "schema": {"type": "object", "required": ["payment_id", "amount"], "properties": {
          "payment_id": {"type": "string"}, "amount": {"type": "integer"}}},
        "example": {"payment_id": "pay_1", "amount": 5}}}}}},
    "/orders": {"post": {"x-idempotent": true,
      "requestBody": {"content": {"application/json": {"schema": {
        "type": "object", "required": ["reference", "lines"], "properties": {
          "reference": {"type": "string", "format": "uuid"},
          "lines": {"type": "array", "minItems": 1, "items": {"type": "object",
            "required": ["sku"], "properties": {"sku": {"type": "string", "enum": ["A-1"]}}}}}}}}}}}
  }})";

}  // namespace

TEST_CASE("verify --openapi: the reference server's own document round-trips: both endpoints "
          "pass, one JUnit testsuite each",
          "[verify][cli][openapi]") {
  TestServer server(verify_server_config());
  const Exchange doc = send(server.port(), "GET", "/openapi.json");
  REQUIRE(doc.status == 200);
  const std::string spec = write_file("serve.json", doc.body);
  const std::string json = temp_path("serve-report.json");
  const std::string junit = temp_path("serve-report.xml");
  // No --target: the document's servers URL is the target.
  const ProcessResult r =
      run_verify_cli({"--openapi", spec, "--report", "json=" + json, "--report", "junit=" + junit});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("verifying 2 endpoints, 2 at a time:  POST /payments  POST "
                                    "/refunds"));
  CHECK_THAT(r.out, Catch::Contains("== POST /refunds  (passed)"));
  const auto report = read_json(json);
  CHECK(report["passed"] == true);
  CHECK(report["schema_version"] == 2);
  REQUIRE(report["endpoints"].size() == 2);
  std::map<std::string, std::string> mismatch;
  for (const auto& c : report["checks"]) {
    if (c["id"] == "endpoint-mismatch") mismatch[c["endpoint"]] = c["verdict"];
  }
  // Each endpoint's key was sent to the other real endpoint, not skipped.
  CHECK(mismatch == std::map<std::string, std::string>{{"POST /payments", "PASS"},
                                                       {"POST /refunds", "PASS"}});
  const std::string xml = read_text(junit);
  CHECK(occurrences(xml, "<testsuite ") == 2);
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"idemctl verify POST /refunds\""));
  std::filesystem::remove(spec);
  std::filesystem::remove(json);
  std::filesystem::remove(junit);
}

TEST_CASE("verify --config endpoints: of three endpoints, the one without a lock fails and only "
          "its checks do",
          "[verify][cli]") {
  ToyTarget toy(one_broken_endpoint());
  const std::string config = write_file("three.json", R"({
    "targets": [")" + toy.base_url() + R"("],
    "headers": {"Content-Type": "application/json"},
    "principals": ["Bearer a", "Bearer b"],
    "failure_trigger": {"headers": {"X-Fault": "fail"}},
    "slow_trigger": {"headers": {"X-Fault": "slow"}, "delay": "200ms"},
    "crash_trigger": {"headers": {"X-Fault": "crash"}},
    "lock_ttl": "2s",
    "executions": {"url": "/executions?key={{key}}"},
    "endpoints": [{"path": "/payments", "large_path": "/payments?pad=3145728"},
                  {"path": "/refunds"}, {"path": "/orders"}]})");
  const std::string json = temp_path("three-report.json");
  const ProcessResult r = run_verify_cli({"--config", config, "--report", "json=" + json});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("== POST /payments  (passed)"));
  CHECK_THAT(r.out, Catch::Contains("== POST /orders  ("));
  check_only_orders_broken(read_json(json));
  std::filesystem::remove(config);
  std::filesystem::remove(json);
}

TEST_CASE("verify --openapi: a YAML document and its JSON twin give the same run, failing only "
          "the broken endpoint",
          "[verify][cli][openapi]") {
  ToyTarget toy(one_broken_endpoint());
  const std::string yaml = write_file("toy.yaml", kToyYaml);
  const std::string json = write_file("toy.json", kToyJson);
  std::map<std::string, nlohmann::json> reports;
  for (const std::string& spec : {yaml, json}) {
    const std::string out = temp_path("toy-report.json");
    std::vector<std::string> args = {"--openapi", spec, "--report", "json=" + out};
    for (const std::string& f : toy_flags(toy)) args.push_back(f);
    const ProcessResult r = run_verify_cli(args);
    INFO(spec << "\n" << r.out << r.err);
    CHECK(r.exit_code == 1);
    reports[spec] = read_json(out);
    check_only_orders_broken(reports[spec]);
    std::filesystem::remove(out);
  }
  CHECK(reports[yaml]["endpoints"] == reports[json]["endpoints"]);
  CHECK(failures(reports[yaml]) == failures(reports[json]));
  // The same checks ran on the same endpoints with the same request bodies.
  const auto runs = [](const nlohmann::json& report) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& c : report["checks"]) out.emplace_back(c["endpoint"], c["id"]);
    return out;
  };
  CHECK(runs(reports[yaml]) == runs(reports[json]));
  std::filesystem::remove(yaml);
  std::filesystem::remove(json);
}

TEST_CASE("verify --openapi: operations it cannot instantiate are listed with the reason; "
          "bad documents and flags are exit 2 naming where",
          "[verify][cli][openapi]") {
  ToyTarget toy(one_broken_endpoint());
  const std::string spec = write_file("partial.json", R"({"openapi": "3.1.0",
    "paths": {
      "/payments": {"post": {"x-idempotent": true, "requestBody": {"content": {
        "application/json": {"example": {"amount": 1, "currency": "EUR"}}}}}},
      "/{kind}": {"post": {"x-idempotent": true}}}})");
  const std::string json = temp_path("partial-report.json");
  const ProcessResult r = run_verify_cli({"--openapi", spec, "--target", toy.base_url(), "--only",
                                  "first-executes", "--report", "json=" + json});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::string line =
      "not verified: POST /{kind}: the path template names '{kind}', which no path parameter "
      "declares; give --param NAME=VALUE";
  CHECK_THAT(r.out, Catch::Contains(line));
  CHECK(read_json(json)["hints"][0] == line);
  // With --param the operation is verified too.
  const ProcessResult with_param = run_verify_cli({"--openapi", spec, "--target", toy.base_url(),
                                           "--only", "first-executes", "--param", "kind=orders"});
  INFO(with_param.out << with_param.err);
  CHECK(with_param.exit_code == 0);
  CHECK_THAT(with_param.out, Catch::Contains("== POST /orders  (passed)"));

  const std::string swagger = write_file("swagger.json", R"({"swagger": "2.0", "paths": {}})");
  const std::pair<std::vector<std::string>, std::string> bad[] = {
      {{"--openapi", swagger, "--target", toy.base_url()}, swagger + ": $.swagger: OpenAPI 2.0"},
      {{"--openapi", spec}, spec + ": $.servers: no absolute server URL; give --target URL"},
      {{"--openapi", spec, "--target", toy.base_url(), "--param", "kind"},
       "--param: invalid 'kind': expected NAME=VALUE"},
      {{"--openapi", spec, "--target", toy.base_url(), "--path", "/x"},
       "--path: the endpoints come from " + spec},
      {{"--openapi-all", "--target", toy.base_url()}, "--openapi-all: needs --openapi FILE"},
      {{"--openapi", spec, "--target", toy.base_url(), "--jobs", "0"}, "--jobs"},
  };
  for (const auto& [args, message] : bad) {
    const ProcessResult b = run_verify_cli(args);
    INFO(b.out << b.err);
    CHECK(b.exit_code == 2);
    CHECK_THAT(b.err, Catch::Contains(message));
  }
  std::filesystem::remove(spec);
  std::filesystem::remove(swagger);
  std::filesystem::remove(json);
}

TEST_CASE("stress --config with endpoints is exit 2: one load run drives one endpoint",
          "[verify][cli]") {
  ToyTarget toy(one_broken_endpoint());
  const std::string config = write_file("stress-endpoints.json", R"({
    "targets": [")" + toy.base_url() + R"("], "endpoints": [{"path": "/a"}, {"path": "/b"}]})");
  const ProcessResult r = run_process({IDEMCTL_BINARY, "stress", "--config", config,
                                       "--duration", "1s"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(config + ": $.endpoints: stress drives one endpoint"));
  std::filesystem::remove(config);
}

TEST_CASE("verify --openapi: a relative servers URL is a prefix of every path under --target",
          "[verify][cli][openapi]") {
  ToyTarget toy(one_broken_endpoint());
  const std::string spec = write_file("prefixed.yaml", R"(openapi: 3.1.0
servers: [{url: /api}]
paths:
  /payments:
    post:
      parameters: [{name: Idempotency-Key, in: header}]
)");
  const ProcessResult r = run_verify_cli(
      {"--openapi", spec, "--target", toy.base_url(), "--only", "first-executes"});
  INFO(r.out << r.err);
  // The toy serves /payments, not /api/payments: the check fails, and says where it sent.
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("> POST " + toy.base_url() + "/api/payments"));
  std::filesystem::remove(spec);
}
