// Body generation from JSON Schemas: the minimal valid instance verify sends when an operation
// has no example (required properties, types, enums, formats, oneOf/allOf, local $refs).
#include <catch2/catch.hpp>

#include "idem/openapi/openapi_import.hpp"
#include "idem/target/render.hpp"
#include "openapi/openapi_error.hpp"
#include "openapi/schema_instance.hpp"

using namespace idem;
using openapi::Json;

namespace {

Json instance_of(const Json& schema, const Json& root = Json::object()) {
  return openapi::schema_instance(root, schema, "$.schema");
}

}  // namespace

TEST_CASE("schema_instance: nested objects get their required properties only, arrays their "
          "minItems",
          "[openapi]") {
  const Json schema = Json::parse(R"({
    "type": "object",
    "required": ["customer", "lines"],
    "properties": {
      "note": {"type": "string"},
      "customer": {"type": "object", "required": ["name", "address"], "properties": {
        "name": {"type": "string", "minLength": 2},
        "vip": {"type": "boolean"},
        "address": {"type": "object", "required": ["country"], "properties": {
          "country": {"type": "string", "enum": ["DE", "FR"]}}}}},
      "lines": {"type": "array", "minItems": 2, "items": {
        "type": "object", "required": ["sku", "qty"], "properties": {
          "sku": {"type": "string", "format": "uuid"},
          "qty": {"type": "integer", "minimum": 1, "maximum": 10}}}}
    }})");
  const Json got = instance_of(schema);
  INFO(got.dump());
  CHECK_FALSE(got.contains("note"));
  CHECK(got["customer"]["name"] == "xx");
  CHECK_FALSE(got["customer"].contains("vip"));
  CHECK(got["customer"]["address"]["country"] == "DE");
  REQUIRE(got["lines"].size() == 2);
  CHECK(got["lines"][0]["sku"] == "{{uuid}}");  // must differ per key
  CHECK(got["lines"][1]["qty"] == 1);           // bounded: the minimum, not {{n}}
}

TEST_CASE("schema_instance: common formats get valid values, unbounded integers {{n}}",
          "[openapi]") {
  const Json schema = Json::parse(R"({"type": "object",
    "required": ["at", "day", "mail", "site", "ip", "amount", "ratio", "flag", "none"],
    "properties": {
      "at": {"type": "string", "format": "date-time"},
      "day": {"type": "string", "format": "date"},
      "mail": {"type": "string", "format": "email"},
      "site": {"type": "string", "format": "uri"},
      "ip": {"type": "string", "format": "ipv4"},
      "amount": {"type": "integer", "minimum": 1},
      "ratio": {"type": "number", "minimum": 0.5, "maximum": 2},
      "flag": {"type": "boolean"},
      "none": {"type": "null"}}})");
  const Json got = instance_of(schema);
  CHECK(got["at"] == "2026-01-01T00:00:00Z");
  CHECK(got["day"] == "2026-01-01");
  CHECK(got["mail"] == "user@example.com");
  CHECK(got["site"] == "https://example.com/");
  CHECK(got["ip"] == "192.0.2.1");
  CHECK(got["ratio"] == 0.5);
  CHECK(got["flag"] == false);
  CHECK(got["none"].is_null());
  // The template writes {{n}} where a number goes, so the rendered body is JSON with a number.
  const std::string body = openapi::body_template(got);
  CHECK_THAT(body, Catch::Contains(R"("amount":{{n}})"));
  const Json rendered = Json::parse(render_body(body, 1001));
  CHECK(rendered["amount"] == 1001);
}

TEST_CASE("schema_instance: oneOf takes the first alternative that can be made, allOf merges, "
          "$ref is followed",
          "[openapi]") {
  const Json root = Json::parse(R"({"components": {"schemas": {
    "Card": {"type": "object", "required": ["number"], "properties": {
      "number": {"type": "string", "pattern": "^[0-9]{16}$"}}},
    "Iban": {"type": "object", "required": ["iban"], "properties": {
      "iban": {"type": "string", "example": "DE89370400440532013000"}}},
    "Base": {"type": "object", "required": ["currency"], "properties": {
      "currency": {"type": "string", "default": "EUR"}}}}}})");
  const Json schema = Json::parse(R"({"allOf": [
    {"$ref": "#/components/schemas/Base"},
    {"type": "object", "required": ["source"], "properties": {
      "source": {"oneOf": [{"$ref": "#/components/schemas/Card"},
                           {"$ref": "#/components/schemas/Iban"}]}}}]})");
  const Json got = openapi::schema_instance(root, schema, "$.schema");
  INFO(got.dump());
  CHECK(got["currency"] == "EUR");
  CHECK(got["source"]["iban"] == "DE89370400440532013000");
}

TEST_CASE("schema_instance: what cannot be instantiated says why, a broken document says where",
          "[openapi]") {
  // A pattern verify cannot satisfy without an example.
  CHECK_THROWS_WITH(instance_of(Json::parse(R"({"type": "string", "pattern": "^a+$"})")),
                    Catch::Contains("must match a pattern"));
  // A required recursion has no finite instance: cut at kMaxSchemaDepth.
  const Json root = Json::parse(R"({"components": {"schemas": {"Node": {"type": "object",
    "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}}})");
  CHECK_THROWS_AS(openapi::schema_instance(root, root["components"]["schemas"]["Node"], "$"),
                  openapi::Uninstantiable);
  CHECK_THROWS_WITH(openapi::schema_instance(root, root["components"]["schemas"]["Node"], "$"),
                    Catch::Contains("deeper than " + std::to_string(kMaxSchemaDepth)));
  // Alternatives that all recurse would take 2^32 tries: cut after kMaxSchemaSteps.
  const Json forks = Json::parse(R"({"components": {"schemas": {"F": {"oneOf": [
    {"$ref": "#/components/schemas/F"}, {"$ref": "#/components/schemas/F"}]}}}})");
  CHECK_THROWS_WITH(openapi::schema_instance(forks, forks["components"]["schemas"]["F"], "$"),
                    Catch::Contains("more than " + std::to_string(kMaxSchemaSteps) + " steps"));
  // minItems beyond kMaxGeneratedItems.
  CHECK_THROWS_WITH(
      instance_of(Json{{"type", "array"}, {"minItems", kMaxGeneratedItems + 1}}),
      Catch::Contains("more than verify generates (" + std::to_string(kMaxGeneratedItems) + ")"));
  CHECK_NOTHROW(instance_of(Json{{"type", "array"}, {"minItems", kMaxGeneratedItems}}));
  // External and dangling references are document errors naming the path.
  try {
    instance_of(Json::parse(R"({"$ref": "other.yaml#/Pet"})"));
    FAIL("no error");
  } catch (const openapi::DocumentError& e) {
    CHECK(e.path() == "$.schema.$ref");
    CHECK_THAT(e.what(), Catch::Contains("external $ref 'other.yaml#/Pet' is not supported"));
  }
  CHECK_THROWS_AS(instance_of(Json::parse(R"({"$ref": "#/components/schemas/Nope"})")),
                  openapi::DocumentError);
  CHECK_THROWS_AS(instance_of(Json::parse(R"({"type": "strnig"})")), openapi::DocumentError);
}

TEST_CASE("vary_example: an example without placeholders gets {{n}} in its first unbounded "
          "integer field",
          "[openapi]") {
  const Json schema = Json::parse(R"({"type": "object", "properties": {
    "qty": {"type": "integer", "maximum": 5},
    "amount": {"type": "integer", "minimum": 1},
    "currency": {"type": "string"}}})");
  Json example = Json::parse(R"({"qty": 2, "amount": 1000, "currency": "EUR"})");
  CHECK(openapi::vary_example(Json::object(), schema, example));
  CHECK(openapi::body_template(example) == R"({"qty":2,"amount":{{n}},"currency":"EUR"})");
  // OpenAPI 3.1's nullable integer.
  const Json nullable = Json::parse(R"({"properties": {"amount": {"type": ["integer", "null"]}}})");
  Json with_null = Json::parse(R"({"amount": 7})");
  CHECK(openapi::vary_example(Json::object(), nullable, with_null));
  CHECK(openapi::body_template(with_null) == R"({"amount":{{n}}})");
  // Nothing to vary: the example stays as written.
  Json fixed = Json::parse(R"({"currency": "EUR"})");
  CHECK_FALSE(openapi::vary_example(Json::object(), schema, fixed));
  CHECK(fixed.dump() == R"({"currency":"EUR"})");
}
