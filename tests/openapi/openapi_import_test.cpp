// import_openapi: which operations become endpoints, how their paths, headers and bodies are
// built, what is listed as skipped, and the exit-2 errors of bad documents (JSON path or YAML
// line). YAML and JSON spellings of one document import the same.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "idem/openapi/openapi_import.hpp"
#include "json_text.hpp"

using namespace idem;

namespace {

const char* kShop = R"({
  "openapi": "3.0.3",
  "info": {"title": "shop", "version": "1"},
  "servers": [{"url": "https://{region}.shop.example/v1",
               "variables": {"region": {"default": "eu"}}}],
  "components": {
    "parameters": {"Key": {"name": "Idempotency-Key", "in": "header", "required": true,
                           "schema": {"type": "string", "format": "uuid"}}},
    "schemas": {"Order": {"type": "object", "required": ["sku", "qty"], "properties": {
      "sku": {"type": "string", "enum": ["A-1", "B-2"]},
      "qty": {"type": "integer", "minimum": 1}}}}
  },
  "paths": {
    "/orders": {"post": {
      "parameters": [{"$ref": "#/components/parameters/Key"}],
      "requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Order"}}}}}},
    "/orders/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "example": "o 1"}],
      "patch": {"parameters": [{"$ref": "#/components/parameters/Key"}],
        "requestBody": {"content": {"application/merge-patch+json": {
          "example": {"qty": 3}}}}},
      "get": {"responses": {}}},
    "/carts/{cart}/checkout": {"post": {"x-idempotent": true,
      "parameters": [{"name": "cart", "in": "path", "required": true,
                      "schema": {"type": "string"}}]}},
    "/uploads": {"post": {"parameters": [{"$ref": "#/components/parameters/Key"}],
      "requestBody": {"content": {"multipart/form-data": {}}}}},
    "/newsletter": {"post": {"requestBody": {"content": {"application/json": {
      "example": {"email": "a@b.c"}}}}}}
  }})";

const Endpoint* find(const OpenApiImport& in, const std::string& method, const std::string& path) {
  for (const Endpoint& e : in.endpoints) {
    if (e.method == method && e.path == path) return &e;
  }
  return nullptr;
}

std::string reason_of(const OpenApiImport& in, const std::string& method,
                      const std::string& path) {
  for (const SkippedOperation& s : in.skipped) {
    if (s.method == method && s.path == path) return s.reason;
  }
  return "";
}

}  // namespace

TEST_CASE("import_openapi: operations declaring the key header or x-idempotent become "
          "endpoints; the others are listed with the reason",
          "[openapi]") {
  const auto in = import_openapi(kShop, "shop.json", {});
  REQUIRE(in.ok());
  CHECK(in->server_url == "https://eu.shop.example/v1");
  REQUIRE(in->endpoints.size() == 2);
  const Endpoint* create = find(*in, "POST", "/orders");
  REQUIRE(create != nullptr);
  CHECK(*create->body == R"({"sku":"A-1","qty":{{n}}})");
  CHECK(create->where == R"($.paths["/orders"].post)");
  const Endpoint* patch = find(*in, "PATCH", "/orders/o%201");  // the example, percent-encoded
  REQUIRE(patch != nullptr);
  CHECK(*patch->body == R"({"qty":3})");
  CHECK(find_header(patch->headers, "Content-Type") == "application/merge-patch+json");
  CHECK_THAT(reason_of(*in, "POST", "/carts/{cart}/checkout"),
             Catch::Contains("path parameter 'cart' has no example; give --param cart=VALUE"));
  CHECK_THAT(reason_of(*in, "POST", "/uploads"), Catch::Contains("multipart/form-data"));
  CHECK_THAT(reason_of(*in, "POST", "/newsletter"), Catch::Contains("not guarded"));
  // GET is never listed: it is not a write.
  CHECK(reason_of(*in, "GET", "/orders/{id}").empty());
}

TEST_CASE("import_openapi: --param fills path parameters and --openapi-all takes every POST and "
          "PATCH",
          "[openapi]") {
  OpenApiOptions o;
  o.all_writes = true;
  o.params = {{"cart", "c/9"}, {"id", "o-7"}};
  const auto in = import_openapi(kShop, "shop.json", o);
  REQUIRE(in.ok());
  CHECK(find(*in, "POST", "/carts/c%2F9/checkout") != nullptr);
  CHECK(find(*in, "PATCH", "/orders/o-7") != nullptr);  // --param wins over the example
  const Endpoint* news = find(*in, "POST", "/newsletter");
  REQUIRE(news != nullptr);
  CHECK(*news->body == R"({"email":"a@b.c"})");
  CHECK(in->endpoints.size() == 4);
  CHECK_THAT(reason_of(*in, "POST", "/uploads"), Catch::Contains("JSON bodies only"));
}

TEST_CASE("import_openapi: another key header name is honoured", "[openapi]") {
  OpenApiOptions o;
  o.key_header = "X-Idempotency-Key";
  const auto in = import_openapi(kShop, "shop.json", o);
  REQUIRE(in.ok());
  // Only the x-idempotent operation remains selected, and it cannot be instantiated.
  CHECK(in->endpoints.empty());
  CHECK_THAT(reason_of(*in, "POST", "/carts/{cart}/checkout"), Catch::Contains("--param cart"));
}

TEST_CASE("import_openapi: unsupported or malformed documents are InvalidArgument naming where "
          "and what was expected",
          "[openapi]") {
  const std::pair<const char*, const char*> bad[] = {
      {R"({"swagger": "2.0", "paths": {}})", "doc.json: $.swagger: OpenAPI 2.0 (swagger) is not"},
      {R"({"openapi": "4.0", "paths": {}})", "doc.json: $.openapi: expected an OpenAPI version"},
      {R"({"openapi": "3.1.0"})", "doc.json: $.paths: expected an object of paths"},
      {R"({"openapi": "3.1.0", "paths": {"/a": {"post": {"x-idempotent": true,
          "requestBody": {"content": {"application/json": {"schema": {"$ref": "pet.yaml"}}}}}}}})",
       R"(doc.json: $.paths["/a"].post.requestBody.content["application/json"].schema.$ref: )"
       "external $ref 'pet.yaml' is not supported"},
      {R"({"openapi": "3.1.0", "paths": {"/a": {"post": {"parameters": [{"$ref": "#/x"}]}}}})",
       R"(doc.json: $.paths["/a"].post.parameters[0].$ref: $ref '#/x' points to nothing)"},
      {R"({"openapi": "3.1.0", "paths": {"/a": {"post": {"parameters": [{"in": "header"}]}}}})",
       "expected a parameter object with 'name' and 'in'"},
      {"{\"openapi\": ", "doc.json: line 1"},
      {R"({"openapi": "3.0.0", "paths": {"/a": {"post": {"x-idempotent": true, "requestBody":
          {"content": {"application/json": {"schema": {"type": "array", "minItems": "two"}}}}}}}})",
       R"(doc.json: $.paths["/a"].post.requestBody.content["application/json"].schema: a keyword )"
       "has the wrong type: type must be number, but is string"},
      {R"({"openapi": "3.0.0", "paths": {"/a": {"post": {"parameters": [
          {"name": "Idempotency-Key", "in": "header", "required": "yes"}]}}}})",
       R"(doc.json: $.paths["/a"].post: a keyword has the wrong type: type must be boolean)"},
  };
  for (const auto& [text, message] : bad) {
    const auto in = import_openapi(text, "doc.json", {});
    INFO(text);
    REQUIRE_FALSE(in.ok());
    CHECK(in.error().code == ErrorCode::InvalidArgument);
    CHECK_THAT(in.error().message, Catch::Contains(message));
  }
}

TEST_CASE("import_openapi: YAML errors name the line, and YAML imports as its JSON twin",
          "[openapi]") {
  const char* yaml = R"(openapi: "3.0.3"
info: {title: shop, version: "1"}
paths:
  /orders:
    post:
      parameters:
        - name: Idempotency-Key
          in: header
          required: true
      requestBody:
        content:
          application/json:
            example:
              sku: "A-1"
              qty: 2
              gift: false
              note: ~
              code: "007"
)";
  const char* json = R"({"openapi": "3.0.3", "info": {"title": "shop", "version": "1"},
    "paths": {"/orders": {"post": {
      "parameters": [{"name": "Idempotency-Key", "in": "header", "required": true}],
      "requestBody": {"content": {"application/json": {"example":
        {"sku": "A-1", "qty": 2, "gift": false, "note": null, "code": "007"}}}}}}}})";
  const auto from_yaml = import_openapi(yaml, "shop.yaml", {});
  const auto from_json = import_openapi(json, "shop.json", {});
  REQUIRE(from_yaml.ok());
  REQUIRE(from_json.ok());
  REQUIRE(from_yaml->endpoints.size() == 1);
  REQUIRE(from_json->endpoints.size() == 1);
  CHECK(*from_yaml->endpoints[0].body == *from_json->endpoints[0].body);
  CHECK(*from_yaml->endpoints[0].body == R"({"sku":"A-1","qty":2,"gift":false,"note":null,"code":"007"})");

  const auto syntax = import_openapi("openapi: 3.0.3\npaths:\n  /a: [\n", "bad.yaml", {});
  REQUIRE_FALSE(syntax.ok());
  CHECK_THAT(syntax.error().message, Catch::StartsWith("bad.yaml: line "));
  CHECK_THAT(syntax.error().message, Catch::Contains("not YAML"));
  const auto dup = import_openapi("openapi: 3.0.3\nopenapi: 3.1.0\npaths: {}\n", "d.yaml", {});
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message == "d.yaml: line 2: duplicate key 'openapi'");
  // A semantic error names the JSON path and the YAML line of the value.
  const auto ref = import_openapi(
      "openapi: 3.0.3\npaths:\n  /a:\n    post:\n      x-idempotent: true\n"
      "      requestBody:\n        content:\n          application/json:\n"
      "            schema:\n              $ref: 'common.yaml#/Order'\n",
      "ref.yaml", {});
  REQUIRE_FALSE(ref.ok());
  CHECK_THAT(ref.error().message, Catch::Contains("schema.$ref (line 10): external $ref"));
}

TEST_CASE("import_openapi: aliases expand within kMaxYamlValues, a billion laughs is refused",
          "[openapi]") {
  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    laughs += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) laughs += std::string(i ? ", " : "") + "*" + prev;
    laughs += "]\n";
    prev = c;
  }
  const auto in = import_openapi(laughs, "lol.yaml", {});
  REQUIRE_FALSE(in.ok());
  CHECK_THAT(in.error().message, Catch::Contains("more than 1000000 values"));
}

TEST_CASE("import_openapi: nesting deeper than kMaxJsonDepth is refused before it is walked",
          "[openapi]") {
  const std::string deep = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  const auto json = import_openapi(deep, "deep.json", {});
  REQUIRE_FALSE(json.ok());
  CHECK(json.error().message == "deep.json: nested deeper than " + std::to_string(kMaxJsonDepth));
  const auto yaml = import_openapi("openapi: 3.0.3\npaths: " + deep + "\n", "deep.yaml", {});
  REQUIRE_FALSE(yaml.ok());
  CHECK_THAT(yaml.error().message, Catch::StartsWith("deep.yaml: line 2: nested deeper than"));
  // At the limit it parses (and is then no OpenAPI document).
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  const auto at_limit = import_openapi(ok, "ok.yaml", {});
  REQUIRE_FALSE(at_limit.ok());
  CHECK_THAT(at_limit.error().message, Catch::Contains("expected an OpenAPI document"));
}

TEST_CASE("import_openapi: YAML plain scalars follow the core schema; a long one is a string",
          "[openapi]") {
  const std::string long_scalar(200'000, '7');
  const std::string yaml = "openapi: 3.0.3\npaths:\n  /a:\n    post:\n      x-idempotent: true\n"
                           "      requestBody:\n        content:\n          application/json:\n"
                           "            example: {i: -12, f: 1.5e3, d: .5, s: 1.2.3, t: True, "
                           "n: Null, big: " + long_scalar + ", inf: .inf, hex: 0x1F}\n";
  const auto in = import_openapi(yaml, "s.yaml", {});
  REQUIRE(in.ok());
  REQUIRE(in->endpoints.size() == 1);
  const auto body = nlohmann::json::parse(*in->endpoints[0].body);
  CHECK(body["i"] == -12);
  CHECK(body["f"] == 1500.0);
  CHECK(body["d"] == 0.5);
  CHECK(body["s"] == "1.2.3");
  CHECK(body["t"] == true);
  CHECK(body["n"].is_null());
  CHECK(body["big"] == long_scalar);  // too large for a double: kept as written
  CHECK(body["inf"] == ".inf");
  CHECK(body["hex"] == "0x1F");  // the core schema's 0x form is not JSON; kept as text
}
