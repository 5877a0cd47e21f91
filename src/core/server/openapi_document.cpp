#include "idem/server/openapi_document.hpp"

#include <nlohmann/json.hpp>

#include "json_text.hpp"

namespace idem {
namespace {

using Json = nlohmann::ordered_json;

Json ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }

Json json_content(const Json& schema, const Json& example = nullptr) {
  Json media = {{"schema", schema}};
  if (!example.is_null()) media["example"] = example;
  return {{"application/json", media}};
}

Json problem(const std::string& description) {
  return {{"description", description},
          {"content", {{"application/problem+json", {{"schema", ref("Problem")}}}}}};
}

// A create operation; the key header parameter only when the guard covers `method`, so the
// document says what the server does, not what it could do.
Json create(const GuardConfig& guard, const std::string& id, const std::string& summary,
            const std::string& request, const std::string& resource, const Json& example) {
  Json op = {{"operationId", id}, {"summary", summary}};
  if (guard.methods.contains("POST")) {
    op["parameters"] = Json::array({{{"$ref", "#/components/parameters/IdempotencyKey"}}});
  }
  op["requestBody"] = {{"required", true}, {"content", json_content(ref(request), example)}};
  Json responses = {
      {"201",
       {{"description", "Created; a replay of the same key answers the same, with "
                        "Idempotent-Replayed: true"},
        {"headers", {{"Location", {{"schema", {{"type", "string"}}}}}}},
        {"content", json_content(ref(resource))}}},
      {"400", problem("Malformed body, or a missing or invalid key")}};
  if (guard.methods.contains("POST")) {
    responses["409"] = problem("A request with this key is still in flight");
    responses[std::to_string(guard.mismatch_status)] =
        problem("The key was used with another request");
    responses["503"] = problem("The key store is unavailable; nothing ran");
  }
  op["responses"] = responses;
  return op;
}

Json read(const std::string& id, const std::string& resource, const std::string& example_id) {
  return {{"operationId", id},
          {"parameters",
           Json::array({{{"name", "id"},
                         {"in", "path"},
                         {"required", true},
                         {"schema", {{"type", "string"}}},
                         {"example", example_id}}})},
          {"responses",
           {{"200", {{"description", "Found"}, {"content", json_content(ref(resource))}}},
            {"404", problem("Unknown, expired or evicted")}}}};
}

Json schemas() {
  const Json amount = {{"type", "integer"}, {"minimum", 1}, {"description", "minor units"}};
  return {
      {"PaymentRequest",
       {{"type", "object"},
        {"required", {"amount", "currency"}},
        {"properties",
         {{"amount", amount},
          {"currency",
           {{"type", "string"}, {"minLength", 3}, {"maxLength", 3}, {"example", "EUR"}}}}}}},
      {"Payment",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"amount", {{"type", "integer"}}},
          {"currency", {{"type", "string"}}},
          {"status", {{"type", "string"}, {"enum", {"succeeded"}}}}}}}},
      {"RefundRequest",
       {{"type", "object"},
        {"required", {"payment_id", "amount"}},
        {"properties",
         {{"payment_id", {{"type", "string"}, {"minLength", 1}, {"maxLength", 64}}},
          {"amount", amount},
          {"reason",
           {{"type", "string"},
            {"enum", {"requested_by_customer", "duplicate", "fraudulent"}}}}}}}},
      {"Refund",
       {{"type", "object"},
        {"properties",
         {{"id", {{"type", "string"}}},
          {"payment_id", {{"type", "string"}}},
          {"amount", {{"type", "integer"}}},
          {"reason", {{"type", "string"}}},
          {"status", {{"type", "string"}}}}}}},
      {"Problem",
       {{"type", "object"},
        {"description", "RFC 9457 problem details"},
        {"properties",
         {{"type", {{"type", "string"}}},
          {"title", {{"type", "string"}}},
          {"status", {{"type", "integer"}}},
          {"detail", {{"type", "string"}}}}}}}};
}

}  // namespace

std::string reference_openapi_document(const GuardConfig& guard, const std::string& base_url) {
  Json key_schema = {{"type", "string"}};
  if (guard.key_format == KeyFormat::Uuid4) {
    key_schema["format"] = "uuid";
  } else {
    key_schema["maxLength"] = 255;
  }
  const Json key = {
      {"name", guard.key_header},
      {"in", "header"},
      {"required", !guard.key_optional},
      {"description", "Idempotency key (draft-ietf-httpapi-idempotency-key-header); a retry "
                      "with the same key and body is answered from the stored response"},
      {"schema", key_schema},
      {"example", "8e03978e-40d5-43e8-bc93-6894a57f9324"}};
  const Json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "idemctl reference server"},
        {"version", IDEM_VERSION},
        {"description", "The demo resources behind the reference idempotency guard"}}},
      {"servers", Json::array({{{"url", base_url}}})},
      {"paths",
       {{"/payments",
         {{"post", create(guard, "createPayment", "Create a payment", "PaymentRequest", "Payment",
                          {{"amount", 1000}, {"currency", "EUR"}})}}},
        {"/payments/{id}",
         {{"get", read("getPayment", "Payment", "pay_00000000000000000000000000000000")}}},
        {"/refunds",
         {{"post", create(guard, "createRefund", "Refund a payment", "RefundRequest", "Refund",
                          {{"payment_id", "pay_00000000000000000000000000000000"},
                           {"amount", 500},
                           {"reason", "requested_by_customer"}})}}},
        {"/refunds/{id}",
         {{"get", read("getRefund", "Refund", "re_00000000000000000000000000000000")}}}}},
      {"components", {{"parameters", {{"IdempotencyKey", key}}}, {"schemas", schemas()}}}};
  // The Host header is the client's bytes: invalid UTF-8 must not make dump() throw.
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace idem
